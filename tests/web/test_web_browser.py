"""The portal and the console in Debian's Chromium, driven by Playwright for Python.

Never a downloaded browser: ``/usr/bin/chromium`` (``scripts/test.sh`` installs it). Where it
is missing these tests are skipped with a loud reason, unless ``GUNMANE_REQUIRE_BROWSER=1``
(CI), which fails them. Every page visited is saved under ``.ci-out/screenshots/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from knowledge.db import Database
from knowledge.models import Advisor
from tests.web.conftest import PASSWORD, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--lang=ja-JP"]   # the browser's own words (file chooser, date fields) in Japanese, as a user here has them
SOON = date.today() + timedelta(days=25)

if not CHROMIUM.exists():
    if os.environ.get("GUNMANE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("GUNMANE_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: `apt-get install -y chromium`")
    pytest.skip("!! BROWSER TESTS SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)",
                allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


class Pages:
    """One browser context (one person) with a screenshot after every step."""

    def __init__(self, browser: Any, base: str, folder: Path, prefix: str, *, mobile: bool = False) -> None:
        size = {"width": 390, "height": 844} if mobile else {"width": 1200, "height": 900}
        self.context = browser.new_context(viewport=size, locale="ja-JP", timezone_id="Asia/Tokyo")
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.base, self.folder, self.prefix = base, folder, prefix

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 500, path
        return response

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.folder / f"{self.prefix}-{name}.png"), full_page=True)

    def text(self) -> str:
        return str(self.page.inner_text("main"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def person(chromium: Any, live: LiveServer, artefacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    made: list[Pages] = []

    def make(prefix: str, *, mobile: bool = False) -> Pages:
        pages = Pages(chromium, live.url, artefacts, f"{request.node.name}-{prefix}", mobile=mobile)
        made.append(pages)
        return pages

    yield make
    for pages in made:
        pages.close()


def _log_in(p: Pages, name: str) -> None:
    p.go("/login")
    p.shot("login")
    p.page.get_by_label("アカウント名").fill(name)
    p.page.get_by_label("パスワード").fill(PASSWORD)
    p.page.get_by_role("button", name="ログイン").click()
    p.page.wait_for_url("**/admin")


def _activity(db: Database) -> None:
    """A few consultations and introductions, so the dashboard has figures to show."""
    from bot.secretariat import introductions as intros
    from knowledge.models import Consultation, SubIssue

    places = [("奈良県", "宇陀市", ["bridge"], ["inspection"]), ("奈良県", "曽爾村", ["bridge"], ["procurement"]),
              ("岩手県", "遠野市", ["road"], ["snow_removal"]), ("群馬県", "甘楽町", ["sewerage"], ["inspection"]),
              ("奈良県", "御杖村", ["park"], ["weeding"])]
    with db.session() as session:
        for number, (pref, town, fields, processes) in enumerate(places):
            session.add(Consultation(platform="slack", user_id=f"U{number}", prefecture=pref, municipality=town,
                                     text="(架空)", card={}, sub_issues=[SubIssue(
                                         text="(架空)", fields=fields, processes=processes, pains=[], wanted=[],
                                         recommendations={}, best_score=1.2 - number * 0.03)]))
        advisors = session.scalars(select(Advisor).where(Advisor.status == "active").order_by(Advisor.ext_id)).all()
        for number, advisor in enumerate(advisors[:3]):
            intro = intros.request(session, requester_platform="slack", requester_id=f"U{number}",
                                   target_kind="advisor", target_id=advisor.id)
            if number < 2:
                intros.accept(session, intro.id, actor="t")


def test_log_in_and_see_the_dashboard(person: Any, accounts: dict[str, str], sample: Database) -> None:
    _activity(sample)
    p = person("secretariat")
    _log_in(p, accounts["secretariat"])
    assert "対応が必要なこと" in p.text()
    p.go("/admin?period=all")
    p.page.wait_for_function("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    p.shot("dashboard")
    for path, name in (("/admin/queues", "queues"), ("/admin/records/advisor", "advisors"),
                       ("/admin/intros", "intros"), ("/admin/outbox", "outbox"), ("/admin/accounts", "accounts"),
                       ("/admin/audit", "audit"), ("/admin/visits", "visits"), ("/admin/import", "import")):
        p.go(path)
        p.shot(name)
    p.page.get_by_role("button", name="ログアウト").click()
    p.page.wait_for_url("**/login")
    p.go("/admin")
    assert p.page.url.endswith("/login?next=%2Fadmin")


def test_search_the_portal_and_open_an_event(person: Any) -> None:
    p = person("visitor")
    p.go("/")
    p.shot("home")
    p.page.get_by_label("キーワード").fill("橋梁 点検")
    p.page.get_by_label("インフラ分野").select_option("bridge")
    p.page.get_by_role("button", name="検索").click()
    p.page.wait_for_url("**/trainings?*")
    assert "検索結果" in p.text()
    p.shot("results")
    first = p.page.locator("article.event h3 a").first
    title = first.inner_text()
    first.click()
    p.page.wait_for_selector("h1")
    assert p.page.locator("h1").inner_text() == title
    assert "カレンダーに追加" in p.text()
    p.shot("event")
    p.go("/cases")
    p.shot("cases")
    p.page.locator("article.card h3 a").first.click()
    p.page.wait_for_selector("dl.facts")
    p.shot("case")
    mobile = person("phone", mobile=True)
    mobile.go("/trainings?prefecture=近畿地方整備局")
    mobile.shot("search")
    assert mobile.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_submit_a_training_approve_it_and_find_it(person: Any, accounts: dict[str, str]) -> None:
    organiser = person("organiser")
    organiser.go("/submit")
    organiser.shot("form")
    page = organiser.page
    page.get_by_label("名称").fill("トンネル点検の実務研修(架空)")
    page.locator("#f-kind").select_option("training")
    page.locator("#f-prefecture").select_option("長野県")
    page.locator("#f-start_date").fill(SOON.isoformat())
    page.locator("#f-description").fill("覆工コンクリートの打音検査を実習します。")
    page.get_by_label("トンネル").check()
    page.get_by_label("ご担当者のお名前").fill("主催 花子")
    page.get_by_label("ご担当者のメールアドレス").fill("org@example.jp")
    page.get_by_role("button", name="掲載を申し込む").click()
    page.wait_for_selector("text=掲載の申込みを受け付けました")
    organiser.shot("done")
    organiser.go("/trainings?q=トンネル点検の実務研修")
    assert "トンネル点検の実務研修(架空)" not in organiser.text()   # not before the review

    secretariat = person("secretariat")
    _log_in(secretariat, accounts["secretariat"])
    secretariat.go("/admin/queues")
    secretariat.shot("queue")
    secretariat.page.get_by_role("link", name="トンネル点検の実務研修(架空)").click()
    secretariat.page.wait_for_selector("text=承認してポータルに掲載")
    secretariat.shot("submission")
    secretariat.page.get_by_role("button", name="承認してポータルに掲載").click()
    secretariat.page.wait_for_selector("text=承認して掲載しました")
    secretariat.shot("approved")

    organiser.go("/trainings?q=トンネル点検")
    assert "トンネル点検の実務研修(架空)" in organiser.text()
    organiser.shot("found")


def test_edit_an_advisor_with_an_invalid_value(person: Any, accounts: dict[str, str], sample: Database) -> None:
    with sample.session() as session:
        advisor = session.scalars(select(Advisor).order_by(Advisor.ext_id)).first()
        assert advisor is not None
        ext_id = advisor.ext_id
    p = person("secretariat")
    _log_in(p, accounts["secretariat"])
    p.go(f"/admin/records/advisor/{ext_id}")
    p.shot("record")
    p.page.get_by_role("link", name="編集").click()
    p.page.locator("#f-capacity").fill("-2")
    p.page.locator("#f-prefecture").select_option("")
    p.page.locator("#f-municipality").fill("宇陀市")
    p.page.get_by_role("button", name="保存する").click()
    p.page.wait_for_selector("#p-capacity")
    assert "0 以上にしてください" in p.page.inner_text("#p-capacity")
    assert "都道府県も選んでください" in p.page.inner_text("#p-municipality")
    assert p.page.locator("#f-capacity").get_attribute("aria-invalid") == "true"
    p.shot("invalid")


def test_upload_a_file_with_a_bad_row(person: Any, accounts: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "trainings.csv"
    bad.write_text("id,title,description,start_date,prefecture\n"
                   "trn-b1,研修その1,内容です,2027-06-01,奈良県\n"
                   "trn-b2,研修その2,内容です,2027-13-01,奈良\n", encoding="utf-8")
    p = person("secretariat")
    _log_in(p, accounts["secretariat"])
    p.go("/admin/import")
    p.page.get_by_label("データの種類").select_option("training")
    p.page.get_by_label("ファイル", exact=True).set_input_files(str(bad))
    p.page.get_by_role("button", name="内容を確認する").click()
    p.page.wait_for_selector("#problems")
    problems = p.page.inner_text("#problems")
    assert "3: start_date:" in problems and "3: prefecture:" in problems
    assert "何も変更していません" in problems
    p.shot("problems")


def test_a_site_visit_bundle_from_two_visitors(person: Any, accounts: dict[str, str]) -> None:
    host = person("host")
    host.go("/visits/offer")
    page = host.page
    page.locator("#f-prefecture").select_option("奈良県")
    page.locator("#f-municipality").fill("宇陀市")
    page.locator("#f-title").fill("橋梁修繕を県に代行してもらう現場(架空)")
    page.locator("#f-description").fill("代行の協定と点検データの受け渡しを、現場でご説明します。")
    page.locator("#f-topics").fill("代行の協定;点検データ")
    page.locator("#day_1").fill(SOON.isoformat())
    page.locator("#place_1").fill("宇陀市役所 会議室")
    page.locator("#capacity_1").fill("8")
    page.locator("#f-contact_name").fill("受入 一郎")
    page.locator("#f-contact").fill("host@example.jp")
    host.shot("offer")
    page.get_by_role("button", name="公開を申し込む").click()
    page.wait_for_selector(".link-box a")
    host.shot("offer-done")
    manage = page.locator(".link-box a").get_attribute("href")
    assert manage

    secretariat = person("secretariat")
    _log_in(secretariat, accounts["secretariat"])
    secretariat.go("/admin/queues")
    secretariat.page.locator("#hosts a").first.click()
    secretariat.page.get_by_role("button", name="公開する").click()
    secretariat.page.wait_for_selector("text=公開中")
    secretariat.shot("published")

    for number, town in enumerate(("曽爾村", "御杖村"), start=1):
        visitor = person(f"visitor{number}")
        visitor.go("/visits")
        visitor.page.get_by_role("link", name="橋梁修繕を県に代行してもらう現場(架空)").click()
        visitor.page.locator("input[name=date_id]").first.check()
        visitor.page.locator("#f-prefecture").select_option("奈良県")
        visitor.page.locator("#f-municipality").fill(town)
        visitor.page.locator("#f-name").fill(f"{town} 代表")
        visitor.page.locator("#f-contact").fill(f"{town}@example.jp")
        visitor.page.locator("#f-participants").fill("2")
        visitor.shot("join")
        visitor.page.get_by_role("button", name="参加を申し込む").click()
        visitor.page.wait_for_selector("text=参加の申込みを受け付けました")

    host.go(manage)
    summary = host.page.inner_text("section.bundle")
    assert "2 団体・4 人 / 定員 8 人" in summary and "曽爾村" in summary and "御杖村" in summary
    assert "@example.jp" not in summary
    host.shot("bundle")
    host.page.locator("section.bundle button", has_text="承認").first.click()
    host.page.wait_for_selector("text=参加を承認しました")
    assert "曽爾村@example.jp" in host.page.inner_text("section.bundle")
    host.shot("confirmed")
    secretariat.go("/admin/visits")
    assert "御杖村@example.jp" in secretariat.text()   # the secretariat sees everything
    secretariat.shot("all-bundles")


def test_forms_and_pages_for_the_public(person: Any) -> None:
    p = person("public")
    for path, name in (("/apply", "apply"), ("/visits", "visits"), ("/visits/offer", "offer-empty"),
                       ("/trainings?kind=webinar&online=1", "webinars"), ("/no-such-page", "not-found")):
        p.go(path)
        p.shot(name)
    p.go("/apply")
    p.page.get_by_role("button", name="応募する").click()
    p.page.wait_for_selector("#problems")
    assert "必須の項目です" in p.text() and "紹介への同意が必要です" in p.text()
    p.shot("apply-problems")
    p.go("/trainings?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert p.page.locator("#q").input_value() == "<script>alert(1)</script>"
    assert p.page.evaluate("document.querySelectorAll('script').length") == 0
    p.shot("hostile-query")
