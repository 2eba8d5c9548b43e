"""The portal's forms over HTTP: submit a training, apply as a supporter, site visits, the profile
link — with CSRF, hostile input, oversized fields and bodies, and odd encodings."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.secretariat import profiles
from knowledge.db import Database
from knowledge.models import Engineer
from knowledge.settings import Settings
from knowledge.web_models import SupporterApplication, TrainingSubmission, VisitHost, VisitRequest
from tests.web.conftest import Browser

SOON = (date.today() + timedelta(days=20)).isoformat()
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TRAINING = {"title": "舗装点検の研修", "kind": "training", "prefecture": "奈良県", "start_date": SOON,
            "description": "路面性状調査の読み方を学びます。", "fields": ["pavement"], "processes": ["inspection"],
            "submitter_name": "主催 花子", "submitter_contact": "org@example.jp"}
APPLY = {"name": "佐藤 一", "kind": "consultant", "expertise": "下水道の管路点検", "fields": ["sewerage"],
         "prefecture": "奈良県", "capacity": "2", "contact": "sato@example.jp", "consent_recommend": "yes",
         "consent_contact": "yes"}
OFFER = {"prefecture": "奈良県", "municipality": "宇陀市", "title": "橋梁修繕の代行",
         "description": "現場を案内します。",
         "topics": "協定;点検データ", "contact_name": "受入 一郎", "contact": "host@example.jp", "fields": ["bridge"],
         "day_1": SOON, "place_1": "宇陀市役所", "capacity_1": "6"}


def _count(db: Database, model: Any) -> int:
    with db.session() as session:
        return len(session.scalars(select(model)).all())


def test_a_training_submission_enters_the_review_queue(public: Browser, sample: Database) -> None:
    response = public.post("/submit", TRAINING, token_from="/submit")
    assert response.status_code == 200 and "掲載の申込みを受け付けました" in response.text
    with sample.session() as session:
        submission = session.scalars(select(TrainingSubmission)).one()
        assert submission.state == "pending" and submission.data["fields"] == ["pavement"]
    assert "舗装点検の研修" not in public.get("/trainings").text


def test_submission_problems_are_shown_beside_their_fields(public: Browser, sample: Database) -> None:
    bad = {**TRAINING, "prefecture": "奈良", "start_date": SOON, "end_date": "2000-01-01", "title": ""}
    response = public.post("/submit", bad, token_from="/submit")
    assert response.status_code == 400
    html = response.text
    assert 'id="p-title"' in html and "必須の項目です" in html
    assert 'id="p-prefecture"' in html and "という都道府県はありません" in html
    assert 'id="p-end_date"' in html and "開始日" in html
    assert 'value="主催 花子"' in html   # what was typed is kept
    assert _count(sample, TrainingSubmission) == 0


def test_supporter_application_is_pending(public: Browser, sample: Database) -> None:
    response = public.post("/apply", APPLY, token_from="/apply")
    assert response.status_code == 200 and "ご応募ありがとうございます" in response.text
    with sample.session() as session:
        application = session.scalars(select(SupporterApplication)).one()
        assert application.state == "pending" and application.consent_recommend and application.consent_contact
    without = public.post("/apply", {k: v for k, v in APPLY.items() if not k.startswith("consent")},
                          token_from="/apply")
    assert without.status_code == 400 and "紹介への同意が必要です" in without.text


def test_a_site_visit_bundle_over_http(public: Browser, sample: Database) -> None:
    offered = public.post("/visits/offer", OFFER, token_from="/visits/offer")
    assert offered.status_code == 200
    link = re.search(r'<a href="(/visits/manage/[^"]+)">', offered.text)
    assert link, "no management link on the page"
    manage = link.group(1)
    assert "確認が済むまで" in public.get(manage).text
    with sample.session() as session:
        host = session.scalars(select(VisitHost)).one()
        host.status = "published"
        host_id, date_id = host.ext_id, host.dates[0].id
    for town in ("曽爾村", "御杖村"):
        joined = public.post(f"/visits/{host_id}/join", {"date_id": str(date_id), "prefecture": "奈良県",
                                                        "municipality": town, "name": f"{town} 代表",
                                                        "contact": f"{town}@example.jp", "participants": "2"},
                             token_from=f"/visits/{host_id}")
        assert joined.status_code == 200, joined.text
    page = public.get(manage).text
    assert "2 団体・4 人 / 定員 6 人" in page
    assert "曽爾村@example.jp" not in page    # contacts only once confirmed
    with sample.session() as session:
        first = session.scalars(select(VisitRequest).order_by(VisitRequest.id)).first()
        assert first is not None
        first_id = first.id
    confirmed = public.post(f"{manage}/decide", {"request_id": str(first_id), "action": "confirm"}, token_from=manage)
    assert confirmed.status_code == 200 and "曽爾村@example.jp" in confirmed.text
    assert "御杖村@example.jp" not in confirmed.text
    full = public.post(f"/visits/{host_id}/join", {"date_id": str(date_id), "prefecture": "奈良県",
                                                    "municipality": "東吉野村", "name": "代表",
                                                    "contact": "a@example.jp",
                                                    "participants": "3"}, token_from=f"/visits/{host_id}")
    assert full.status_code == 409 and "この日の残りは 2 人です" in full.text
    assert public.get("/visits/manage/not-a-real-token").status_code == 404


def test_the_profile_link_registers_an_engineer(public: Browser, sample: Database, web_settings: Settings) -> None:
    link = profiles.make_profile_link("slack", "U777", settings=web_settings)
    path = link.removeprefix("http://portal.test")
    form = public.get(path)
    assert form.status_code == 200 and 'value="slack:U777"' in form.text   # the chat contact is offered
    data = {"name": "技術 三郎", "prefecture": "奈良県", "municipality": "曽爾村", "expertise": "村道橋の点検",
            "fields": ["bridge"], "contact": "U777", "consent": "yes"}
    saved = public.post(path, data, token_from=path)
    assert saved.status_code == 200 and "プロフィールを登録しました" in saved.text
    with sample.session() as session:
        engineer = session.scalars(select(Engineer).where(Engineer.name == "技術 三郎")).one()
        assert engineer.discoverable
    withdrawn = public.post(f"{path}/withdraw", {}, token_from=path)
    assert "紹介への同意を取り消しました" in withdrawn.text
    assert "name" in public.get(f"{path}/erase").text or "氏名" in public.get(f"{path}/erase").text
    erased = public.post(f"{path}/erase", {}, token_from=f"{path}/erase")
    assert erased.status_code == 200 and "登録を削除しました" in erased.text
    with sample.session() as session:
        assert session.scalars(select(Engineer).where(Engineer.name == "技術 三郎")).all() == []
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert public.get(tampered).status_code == 404


@pytest.mark.parametrize(("path", "data"), [
    ("/submit", TRAINING), ("/apply", APPLY), ("/visits/offer", OFFER), ("/login", {"name": "x", "password": "y"}),
])
def test_posts_without_or_with_a_wrong_csrf_token_are_refused(public: Browser, sample: Database, path: str,
                                                             data: dict[str, Any]) -> None:
    missing = public.client.post(path, data=data, follow_redirects=False)
    assert missing.status_code == 403 and "有効期限が切れたか" in missing.text
    wrong = public.client.post(path, data={**data, "csrf_token": "0" * 64}, follow_redirects=False)
    assert wrong.status_code == 403
    assert _count(sample, TrainingSubmission) == 0 and _count(sample, SupporterApplication) == 0


def test_a_token_from_another_browser_does_not_pass(app: Any, public: Browser, sample: Database) -> None:
    from starlette.testclient import TestClient

    with TestClient(app) as other:
        other_token = Browser(other).token("/submit")
    response = public.client.post("/submit", data={**TRAINING, "csrf_token": other_token}, follow_redirects=False)
    assert response.status_code == 403
    assert _count(sample, TrainingSubmission) == 0


def test_markup_in_every_field_is_shown_as_text(public: Browser, sample: Database) -> None:
    hostile = {k: (XSS if isinstance(v, str) and k not in ("start_date", "kind") else v)
               for k, v in TRAINING.items()}
    response = public.post("/submit", hostile, token_from="/submit")   # the prefecture is wrong: shown again
    assert response.status_code == 400
    assert "<script>" not in response.text and "onerror=alert(1)>" not in response.text
    assert "&lt;script&gt;" in response.text
    applied = public.post("/apply", {k: (XSS if k in ("name", "expertise", "affiliation") else v)
                                     for k, v in APPLY.items()}, token_from="/apply")
    assert applied.status_code == 200
    search = public.get("/trainings", params={"q": XSS})
    assert "<script>" not in search.text and "&lt;script&gt;" in search.text


def test_oversized_fields_and_bodies_are_refused_with_a_message(public: Browser, sample: Database) -> None:
    long_text = {**TRAINING, "description": "長" * 20_001}
    response = public.post("/submit", long_text, token_from="/submit")
    assert response.status_code == 400 and "20,001 文字あります。20,000 文字以内にしてください。" in response.text
    huge = public.post("/submit", {**TRAINING, "description": "x" * 1_200_000}, token_from="/submit")
    assert huge.status_code == 413 and "送信された内容が大きすぎます" in huge.text
    assert _count(sample, TrainingSubmission) == 0


def test_odd_encodings_do_not_break_anything(public: Browser, sample: Database) -> None:
    token = public.token("/submit")
    raw = (b"csrf_token=" + token.encode() + b"&title=%FF%FE%00bad&description=%E6%A9%8B&submitter_name=a"
           b"&submitter_contact=b")
    response = public.client.post("/submit", content=raw, headers={"Content-Type": "application/x-www-form-urlencoded"},
                                  follow_redirects=False)
    assert response.status_code == 400
    assert "NUL" in response.text or "制御文字" in response.text
    assert public.get("/trainings?q=%FF%FE").status_code == 200
    assert public.get("/trainings", params={"q": "\u202e\u0000"}).status_code == 200
    assert _count(sample, TrainingSubmission) == 0
