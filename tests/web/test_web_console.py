"""The secretariat console over HTTP: login, roles, CSRF, review queues, records, import, export,
introductions, site visits, the outbox, accounts, the dashboard."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from bot.secretariat import submissions, supporters
from bot.secretariat import introductions as intros
from knowledge.db import Database
from knowledge.models import Advisor, AuditEntry, Training, utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.web_models import OutboxMessage, WebSession
from tests.web.conftest import PASSWORD, Browser, csrf_of, login
from tests.web.test_web_forms import APPLY, TRAINING

CONSOLE_PAGES = [
    "/admin", "/admin/queues", "/admin/records/advisor", "/admin/records/case", "/admin/records/engineer",
    "/admin/records/training", "/admin/hosts", "/admin/intros", "/admin/intros?state=accepted", "/admin/visits",
    "/admin/outbox", "/admin/audit", "/admin/accounts", "/admin/visits?past=1", "/admin/groups",
]


def _first_advisor(db: Database) -> Advisor:
    with db.session() as session:
        return session.scalars(select(Advisor).order_by(Advisor.ext_id)).first()  # type: ignore[return-value]


def test_without_a_session_the_console_sends_to_login(public: Browser) -> None:
    for path in CONSOLE_PAGES + ["/admin/add/advisor", "/admin/import", "/admin/report"]:
        response = public.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=%2Fadmin")
    assert public.post("/admin/outbox/1/sent", {}).status_code == 403


def test_login_page_flow_and_next(app: Any, accounts: dict[str, str]) -> None:
    with TestClient(app) as client:
        wrong = client.post("/login", data={"name": accounts["secretariat"], "password": "wrong password",
                                            "csrf_token": csrf_of(client.get("/login").text)})
        assert wrong.status_code == 401 and "アカウント名またはパスワードが違います" in wrong.text
        page = client.get("/login?next=/admin/outbox")
        ok = client.post("/login", data={"name": accounts["secretariat"], "password": PASSWORD,
                                         "csrf_token": csrf_of(page.text), "next": "/admin/outbox"},
                         follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/admin/outbox"
        cookie = ok.headers["set-cookie"]
        assert "gm_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert client.get("/admin").status_code == 200
        assert client.get("/admin").headers["cache-control"] == "no-store"
        logout = client.post("/logout", data={"csrf_token": csrf_of(client.get("/admin").text)},
                             follow_redirects=False)
        assert logout.status_code == 303
        assert client.get("/admin", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil", "/trainings"])
def test_login_never_redirects_off_the_console(app: Any, accounts: dict[str, str], target: str) -> None:
    with TestClient(app) as client:
        page = client.get("/login")
        ok = client.post("/login", data={"name": accounts["viewer"], "password": PASSWORD,
                                         "csrf_token": csrf_of(page.text), "next": target}, follow_redirects=False)
        assert ok.headers["location"] == "/admin"


def test_too_many_failed_logins_are_refused_for_a_while(app: Any, accounts: dict[str, str]) -> None:
    with TestClient(app) as client:
        for _ in range(5):
            token = csrf_of(client.get("/login").text)
            client.post("/login", data={"name": accounts["secretariat"], "password": "nope nope nope",
                                        "csrf_token": token})
        token = csrf_of(client.get("/login").text)
        locked = client.post("/login", data={"name": accounts["secretariat"], "password": PASSWORD,
                                             "csrf_token": token})
        assert locked.status_code == 429 and "ログインの失敗が続いたため" in locked.text


def test_every_console_page_for_both_roles(secretariat: Browser, viewer: Browser) -> None:
    for path in CONSOLE_PAGES:
        assert secretariat.get(path).status_code == 200, path
        assert viewer.get(path).status_code == 200, path


def test_viewers_read_but_cannot_change(viewer: Browser, sample: Database) -> None:
    advisor = _first_advisor(sample)
    page = viewer.get(f"/admin/records/advisor/{advisor.ext_id}").text
    assert advisor.name in page and "(事務局の権限でのみ表示)" in page
    assert (advisor.contact or "@@none@@") not in page
    assert "編集" not in page.split("<main")[1].split("変更履歴")[0]
    for path, data in [(f"/admin/records/advisor/{advisor.ext_id}/status", {"status": "paused"}),
                       ("/admin/add/advisor", {"id": "x", "name": "x", "expertise": "x"}),
                       (f"/admin/records/advisor/{advisor.ext_id}/edit", {"name": "x"}),
                       ("/admin/intros/run", {"job": "expire"}), ("/admin/accounts", {"name": "x"})]:
        response = viewer.post(path, data, token_from="/admin")
        assert response.status_code == 403, path
        assert "「事務局」の権限が必要です" in response.text
    assert viewer.get("/admin/add/advisor").status_code == 403
    assert viewer.get("/admin/export/advisor.csv").status_code == 403
    assert _first_advisor(sample).status == "active"


def test_a_forged_approve_is_refused(app: Any, secretariat: Browser, sample: Database) -> None:
    with sample.session() as session:
        submission = submissions.submit(session, {k: v for k, v in TRAINING.items() if not k.startswith("submitter")},
                                        submitter_name="a", submitter_contact="b@example.jp",
                                        directory=MunicipalityDirectory(session), actor="t")
        number = submission.id
    path = f"/admin/submissions/{number}/approve"
    assert secretariat.client.post(path, data={}, follow_redirects=False).status_code == 403
    assert secretariat.client.post(path, data={"csrf_token": "f" * 43}, follow_redirects=False).status_code == 403
    with TestClient(app) as stranger:   # a token from an anonymous page, with the secretariat's cookie missing
        token = Browser(stranger).token("/submit")
        assert stranger.post(path, data={"csrf_token": token}, follow_redirects=False).status_code == 403
    with sample.session() as session:
        assert submissions.get(session, number).state == "pending"
    approved = secretariat.post(path, {}, token_from=f"/admin/submissions/{number}")
    assert approved.status_code == 303
    with sample.session() as session:
        assert submissions.get(session, number).state == "approved"


def test_an_expired_session_goes_back_to_login(secretariat: Browser, sample: Database) -> None:
    token = secretariat.token("/admin")
    with sample.session() as session:
        session.execute(update(WebSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert secretariat.get("/admin").status_code == 303
    refused = secretariat.client.post("/admin/intros/run", data={"csrf_token": token, "job": "expire"},
                                      follow_redirects=False)
    assert refused.status_code == 403


def test_submission_review_publishes_to_the_portal(secretariat: Browser, public: Browser, sample: Database) -> None:
    assert public.post("/submit", TRAINING, token_from="/submit").status_code == 200
    queue = secretariat.get("/admin/queues").text
    assert "舗装点検の研修" in queue
    with sample.session() as session:
        number = submissions.list_submissions(session)[0].id
    page = secretariat.get(f"/admin/submissions/{number}").text
    assert "org@example.jp" in page
    done = secretariat.post(f"/admin/submissions/{number}/approve", {}, token_from=f"/admin/submissions/{number}")
    assert done.status_code == 303
    assert "舗装点検の研修" in public.get("/trainings", params={"q": "舗装点検"}).text
    outbox = secretariat.get("/admin/outbox").text
    assert "org@example.jp" in outbox and "掲載しました" in outbox


def test_rejection_needs_a_reason(secretariat: Browser, public: Browser, sample: Database) -> None:
    public.post("/submit", TRAINING, token_from="/submit")
    with sample.session() as session:
        number = submissions.list_submissions(session)[0].id
    empty = secretariat.post(f"/admin/submissions/{number}/reject", {"reason": ""},
                             token_from=f"/admin/submissions/{number}")
    assert empty.status_code == 400 and "理由を書いてください" in empty.text
    done = secretariat.post(f"/admin/submissions/{number}/reject", {"reason": "日程未定"},
                            token_from=f"/admin/submissions/{number}")
    assert done.status_code == 303


def test_certifying_a_supporter(secretariat: Browser, public: Browser, sample: Database) -> None:
    public.post("/apply", APPLY, token_from="/apply")
    with sample.session() as session:
        number = supporters.list_applications(session)[0].id
    certified = secretariat.post(f"/admin/applications/{number}/certify", {"advisor_id": "adv-sato"},
                                 token_from=f"/admin/applications/{number}")
    assert certified.status_code == 303 and certified.headers["location"].startswith("/admin/records/advisor/adv-sato")
    assert "佐藤 一" in secretariat.get("/admin/records/advisor/adv-sato").text


def test_add_and_edit_records_with_problems_beside_their_fields(secretariat: Browser, sample: Database) -> None:
    form = {"id": "adv-web-1", "name": "新規 顧問", "expertise": "舗装の維持管理", "fields": ["pavement"],
            "capacity": "2", "status": "active", "prefecture": "奈良県"}
    added = secretariat.post("/admin/add/advisor", form, token_from="/admin/add/advisor")
    assert added.status_code == 303
    again = secretariat.post("/admin/add/advisor", form, token_from="/admin/add/advisor")
    assert again.status_code == 409 and "すでに使われています" in again.text
    edit = "/admin/records/advisor/adv-web-1/edit"
    bad = secretariat.post(edit, {**form, "capacity": "-3", "prefecture": "奈良", "municipality": "宇陀市"},
                           token_from=edit)
    assert bad.status_code == 400
    assert 'id="p-capacity"' in bad.text and "0 以上にしてください" in bad.text
    assert 'id="p-prefecture"' in bad.text
    ok = secretariat.post(edit, {**form, "capacity": "4"}, token_from=edit)
    assert ok.status_code == 303 and "done=edited" in ok.headers["location"]
    page = secretariat.get("/admin/records/advisor/adv-web-1").text
    assert "web:jimukyoku" in page   # the audit history names the account
    with sample.session() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.record_id == "adv-web-1")).all()
        assert [(e.actor, e.action) for e in entries] == [("web:jimukyoku", "add"), ("web:jimukyoku", "edit")]


def test_pause_retire_activate_and_forget(secretariat: Browser, sample: Database) -> None:
    advisor = _first_advisor(sample)
    base = f"/admin/records/advisor/{advisor.ext_id}"
    for status in ("paused", "active", "retired"):
        response = secretariat.post(f"{base}/status", {"status": status}, token_from=base)
        assert response.status_code == 303
        assert _first_advisor(sample).status == status
    confirm = secretariat.get(f"{base}/forget").text
    assert "氏名、連絡先、相談に応じられること(専門)" in confirm or "氏名" in confirm
    mismatch = secretariat.post(f"{base}/forget", {"confirm": "wrong"}, token_from=f"{base}/forget")
    assert mismatch.status_code == 400 and _first_advisor(sample).forgotten is False
    done = secretariat.post(f"{base}/forget", {"confirm": advisor.ext_id}, token_from=f"{base}/forget")
    assert done.status_code == 303
    erased = _first_advisor(sample)
    assert erased.forgotten and erased.name == "(削除済み)" and erased.contact is None
    assert secretariat.get(f"{base}/edit").status_code == 409


def test_records_list_filters_and_search(secretariat: Browser, sample: Database) -> None:
    all_rows = secretariat.get("/admin/records/training").text
    bridge = secretariat.get("/admin/records/training", params={"field": "bridge"}).text
    assert bridge.count("<tr>") < all_rows.count("<tr>")
    searched = secretariat.get("/admin/records/training", params={"q": "岩手"}).text
    assert "岩手" in searched
    wrong = secretariat.get("/admin/records/training", params={"status": "forgotten"})
    assert wrong.status_code == 400
    assert secretariat.get("/admin/records/spaceship").status_code == 404
    assert secretariat.get("/admin/records/advisor/..%2f..%2fetc").status_code == 404


def test_delete_a_training(secretariat: Browser, sample: Database) -> None:
    with sample.session() as session:
        ext_id = session.scalars(select(Training.ext_id)).first()
    assert "削除します" in secretariat.get(f"/admin/records/training/{ext_id}/delete").text
    done = secretariat.post(f"/admin/records/training/{ext_id}/delete", {},
                            token_from=f"/admin/records/training/{ext_id}/delete")
    assert done.status_code == 303
    with sample.session() as session:
        assert session.scalar(select(Training).where(Training.ext_id == ext_id)) is None


def test_export_csv_and_jsonl(secretariat: Browser, sample: Database) -> None:
    csv_file = secretariat.get("/admin/export/advisor.csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.content.startswith("\ufeffid,name".encode())
    jsonl = secretariat.get("/admin/export/training.jsonl")
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    assert lines and all("id" in line for line in lines)
    assert secretariat.get("/admin/export/advisor.xlsx").status_code == 404


def test_import_dry_run_lists_problem_lines_then_applies(secretariat: Browser, sample: Database) -> None:
    bad = "id,name,expertise,capacity\nadv-i1,一人目,橋梁,2\nadv-i2,,舗装,x\n".encode()
    checked = secretariat.post("/admin/import", {"kind": "advisor"}, token_from="/admin/import",
                               files={"file": ("advisors.csv", io.BytesIO(bad), "text/csv")})
    assert checked.status_code == 400
    assert "3: name: required field is missing or empty" in checked.text
    assert "3: capacity:" in checked.text and "/tmp" not in checked.text
    good = "id,name,expertise,capacity\nadv-i1,一人目,橋梁,2\nadv-i2,二人目,舗装,1\n".encode()
    dry = secretariat.post("/admin/import", {"kind": "advisor"}, token_from="/admin/import",
                           files={"file": ("advisors.csv", io.BytesIO(good), "text/csv")})
    assert dry.status_code == 200 and "追加 2 件" in dry.text
    with sample.session() as session:
        assert session.scalar(select(Advisor).where(Advisor.ext_id == "adv-i1")) is None
    token = dry.text.split('name="token" value="')[1].split('"')[0]
    applied = secretariat.post("/admin/import/apply", {"token": token}, token_from="/admin/import")
    assert applied.status_code == 200 and "取り込みました" in applied.text
    with sample.session() as session:
        assert session.scalar(select(Advisor).where(Advisor.ext_id == "adv-i2")) is not None
    replay = secretariat.post("/admin/import/apply", {"token": token}, token_from="/admin/import")
    assert replay.status_code == 400


@pytest.mark.parametrize(("name", "content", "message"), [
    ("advisors.xlsx", b"PK\x03\x04", "ファイル名が .csv か .jsonl"),
    ("advisors.csv", "id,name,expertise\nadv-s,山田,橋\n".encode("cp932"), "Shift_JIS"),
    ("advisors.jsonl", b"{not json}\n", "1: json: invalid JSON"),
    ("../../etc/passwd.csv", b"", "file: the file is empty"),
])
def test_import_refuses_bad_files_with_a_message(secretariat: Browser, name: str, content: bytes,
                                                 message: str) -> None:
    response = secretariat.post("/admin/import", {"kind": "advisor"}, token_from="/admin/import",
                                files={"file": (name, io.BytesIO(content), "application/octet-stream")})
    assert response.status_code == 400
    assert message in response.text


def test_an_oversized_upload_is_refused(secretariat: Browser) -> None:
    big = b"id,name,expertise\n" + b"a" * (21 * 1024 * 1024)
    response = secretariat.post("/admin/import", {"kind": "advisor"}, token_from="/admin/import",
                                files={"file": ("big.csv", io.BytesIO(big), "text/csv")})
    assert response.status_code == 413 and "20 MB" in response.text


def _introduction(db: Database, state: str = "requested", requester: str = "U0REQ") -> tuple[int, Advisor]:
    advisor = _first_advisor(db)
    with db.session() as session:
        intro = intros.request(session, requester_platform="slack", requester_id=requester, target_kind="advisor",
                               target_id=advisor.id)
        if state == "accepted":
            intros.accept(session, intro.id, actor="t")
        return intro.id, advisor


def test_introductions_approve_feedback_and_reassign(secretariat: Browser, viewer: Browser, sample: Database) -> None:
    intro_id, advisor = _introduction(sample)
    listed = secretariat.get("/admin/intros").text
    assert f"#{intro_id}" in listed and "slack:U0REQ" in listed
    assert "slack:U0REQ" not in viewer.get("/admin/intros").text   # a chat id is a contact
    page = f"/admin/intros/{intro_id}"
    approved = secretariat.post(f"{page}/action", {"action": "accept"}, token_from=page)
    assert approved.status_code == 303
    feedback = secretariat.post(f"{page}/feedback", {"side": "requester", "rating": "5", "comment": "助かりました"},
                                token_from=page)
    assert feedback.status_code == 303
    assert "★5" in secretariat.get(page).text
    bad = secretariat.post(f"{page}/feedback", {"side": "requester", "rating": "9"}, token_from=page)
    assert bad.status_code == 409 and "評価は1〜5の整数" in bad.text
    second, _ = _introduction(sample, requester="U0OTHER")
    others = [a for a in secretariat.get(f"/admin/intros/{second}").text.split('<option value="')[1:]]
    assert others
    with sample.session() as session:
        other = session.scalars(select(Advisor).where(Advisor.id != advisor.id, Advisor.status == "active")).first()
        assert other is not None
    moved = secretariat.post(f"/admin/intros/{second}/reassign", {"target_kind": "advisor", "target": other.ext_id},
                             token_from=f"/admin/intros/{second}")
    assert moved.status_code == 303
    expired = secretariat.post(f"/admin/intros/{second}/action", {"action": "expire"},
                               token_from=f"/admin/intros/{second}")
    assert expired.status_code == 409   # it was closed by the reassignment


def test_daily_jobs_put_undeliverable_mail_in_the_outbox(secretariat: Browser, sample: Database) -> None:
    intro_id, _ = _introduction(sample)
    with sample.session() as session:
        intro = intros.get(session, intro_id)
        intro.requested_at = utcnow() - timedelta(days=30)
    reminded = secretariat.post("/admin/intros/run", {"job": "remind"}, token_from="/admin/intros")
    assert reminded.status_code == 303
    with sample.session() as session:
        mails = session.scalars(select(OutboxMessage)).all()
        assert [m.purpose for m in mails] == ["intro_reminder"] and f"#{intro_id}" in mails[0].subject
        number = mails[0].id
    marked = secretariat.post(f"/admin/outbox/{number}/sent", {}, token_from="/admin/outbox")
    assert marked.status_code == 303
    with sample.session() as session:
        assert session.get(OutboxMessage, number).sent_by == "web:jimukyoku"  # type: ignore[union-attr]
    expired = secretariat.post("/admin/intros/run", {"job": "expire"}, token_from="/admin/intros")
    assert "count=1" in expired.headers["location"]
    assert secretariat.post("/admin/intros/run", {"job": "rm -rf"}, token_from="/admin/intros").status_code == 400


def test_accounts_page_adds_and_disables(secretariat: Browser, app: Any) -> None:
    added = secretariat.post("/admin/accounts", {"name": "tanaka", "role": "viewer", "password": PASSWORD,
                                                 "password2": PASSWORD}, token_from="/admin/accounts")
    assert added.status_code == 303
    mismatch = secretariat.post("/admin/accounts", {"name": "x", "role": "viewer", "password": PASSWORD,
                                                    "password2": "other"}, token_from="/admin/accounts")
    assert mismatch.status_code == 400
    with TestClient(app) as client:
        assert login(client, "tanaka").status_code == 303
        disabled = secretariat.post("/admin/accounts/tanaka/state", {"action": "disable"}, token_from="/admin/accounts")
        assert disabled.status_code == 303
        assert client.get("/admin", follow_redirects=False).status_code == 303
    yourself = secretariat.post("/admin/accounts/jimukyoku/state", {"action": "disable"}, token_from="/admin/accounts")
    assert yourself.status_code == 409


def test_dashboard_charts_and_report(secretariat: Browser) -> None:
    page = secretariat.get("/admin", params={"period": "all"}).text
    assert "見える化の数字" in page and "/admin/charts/map.png" in page
    chart = secretariat.get("/admin/charts/introduction_funnel.png", params={"period": "7"})
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    assert secretariat.get("/admin/charts/../../etc/passwd").status_code == 404
    assert secretariat.get("/admin/charts/evil.png").status_code == 404
    bad = secretariat.get("/admin", params={"since": "yesterday"}).text
    assert "開始日は YYYY-MM-DD" in bad
    report = secretariat.get("/admin/report", params={"since": "2027-01-01"})
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "見える化" in report.text


def test_markup_from_the_portal_is_text_in_the_console(secretariat: Browser, public: Browser, sample: Database) -> None:
    xss = '<script>alert(1)</script>'
    public.post("/submit", {**TRAINING, "title": xss, "description": xss, "organizer": xss}, token_from="/submit")
    with sample.session() as session:
        number = submissions.list_submissions(session)[0].id
    for path in ("/admin/queues", f"/admin/submissions/{number}"):
        html = secretariat.get(path).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hosts_are_records_too(secretariat: Browser, viewer: Browser, public: Browser, sample: Database) -> None:
    from tests.web.test_web_forms import OFFER

    assert public.post("/visits/offer", OFFER, token_from="/visits/offer").status_code == 200
    with sample.session() as session:
        from knowledge.web_models import VisitHost

        ext_id = session.scalars(select(VisitHost.ext_id)).one()
    page = f"/admin/hosts/{ext_id}"
    assert "host@example.jp" in secretariat.get(page).text
    assert "host@example.jp" not in viewer.get(page).text
    published = secretariat.post(f"{page}/status", {"status": "published"}, token_from=page)
    assert published.status_code == 303
    assert "橋梁修繕の代行" in public.get("/visits").text
    bad = secretariat.post(f"{page}/edit", {"title": "", "description": "x", "contact_name": "a",
                                            "contact": "host@example.jp"}, token_from=f"{page}/edit")
    assert bad.status_code == 400 and 'id="p-title"' in bad.text
    edited = secretariat.post(f"{page}/edit", {"title": "新しいテーマ", "description": "内容", "topics": "a;b",
                                               "contact_name": "受入 一郎", "contact": "host@example.jp"},
                              token_from=f"{page}/edit")
    assert edited.status_code == 303 and "新しいテーマ" in secretariat.get(page).text
    added = secretariat.post(f"{page}/dates", {"day": "2001-01-01", "place": "x", "capacity": "3"}, token_from=page)
    assert added.status_code == 400 and "過ぎています" in added.text
    assert viewer.post(f"{page}/status", {"status": "closed"}, token_from="/admin").status_code == 403
    assert "新しいテーマ" in public.get("/visits").text
    reissued = secretariat.post(f"{page}/reissue", {}, token_from=page)
    link = reissued.text.split('<p class="link-box">')[1].split("</p>")[0]
    assert public.get(link.removeprefix("http://testserver")).status_code == 200
