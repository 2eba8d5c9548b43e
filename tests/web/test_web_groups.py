"""Console: groups (群) — suggestions, a group made from one, members and consent, invitations carried
by the relay (chat and the mail outbox), the technologies ranked for the group, events and RSVPs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.dialogue.replies import Delivery
from bot.relay.senders import SenderRegistry
from bot.secretariat import groups
from knowledge.db import Database
from knowledge.io import import_records
from knowledge.models import AuditEntry, Consultation, ConsultationImport, GroupMember, GroupSuggestion
from knowledge.settings import Settings
from knowledge.web_models import OutboxMessage
from matching.embedders.fake import FakeEmbedder
from tests.groups.groups_fixtures import CONSULTATIONS, TECHNOLOGIES, write_jsonl
from tests.web.conftest import Browser

BRIDGE_BODIES = ("宇陀市", "御杖村", "曽爾村", "東吉野村")


class RecordingSender:
    """A chat platform's sender on loopback terms: records what it was asked to deliver, and says it did."""

    platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[Delivery, list[str]]] = []

    def send(self, delivery: Delivery, users: Sequence[str]) -> bool:
        self.sent.append((delivery, list(users)))
        return True

    def send_to_secretariat(self, delivery: Delivery) -> bool:
        return False


@pytest.fixture
def grouped(sample: Database, settings: Settings, tmp_path: Path) -> Database:
    """The sample data plus the groups tests' consultations and technologies; 宇陀市's consultation came
    from a Slack user (so its invitation goes to chat), the others by mail or phone (the outbox)."""
    from bot.secretariat.consultations import import_consultations

    with sample.session() as session:
        import_records(session, "technology", write_jsonl(tmp_path / "t.jsonl", TECHNOLOGIES), actor="test")
    import_consultations(sample, write_jsonl(tmp_path / "c.jsonl", CONSULTATIONS), actor="test", settings=settings,
                         embedder=FakeEmbedder())
    with sample.session() as session:
        row = session.scalar(select(ConsultationImport).where(ConsultationImport.ext_id == "hc-004"))
        assert row is not None
        consultation = session.get_one(Consultation, row.consultation_id)
        consultation.platform, consultation.user_id = "slack", "U0UDA"
    return sample


@pytest.fixture
def slack(app: Any) -> RecordingSender:
    sender = RecordingSender()
    app.state.web.caches["senders"] = SenderRegistry([sender])
    return sender


def bridge_suggestion(db: Database) -> str:
    with db.session() as session:
        rows = [r for r in session.scalars(select(GroupSuggestion)) if r.data["fields"] == ["bridge"]]
    assert len(rows) == 1, [r.data for r in rows]
    return rows[0].id


def suggested(secretariat: Browser, db: Database) -> str:
    done = secretariat.post("/admin/groups/suggest", {}, token_from="/admin/groups")
    assert done.status_code == 303 and "done=groups_suggested" in done.headers["location"]
    return bridge_suggestion(db)


def created(secretariat: Browser, db: Database, name: str = "宇陀エリア橋梁点検") -> int:
    suggestion = suggested(secretariat, db)
    made = secretariat.post("/admin/groups/create", {"suggestion": suggestion, "name": name},
                            token_from="/admin/groups")
    assert made.status_code == 303, made.text
    found = re.fullmatch(r"/admin/groups/([0-9]+)\?done=group_created", made.headers["location"])
    assert found, made.headers["location"]
    return int(found.group(1))


def member_ids(db: Database, group_id: int) -> dict[str, int]:
    with db.session() as session:
        return {m.municipality: m.id for m in groups.get_group(session, group_id).members}


def test_suggestions_are_listed_and_a_group_is_made_from_one(secretariat: Browser, grouped: Database) -> None:
    suggestion = suggested(secretariat, grouped)
    listing = secretariat.get("/admin/groups").text
    assert suggestion in listing and all(body in listing for body in BRIDGE_BODIES)
    assert "hc-004" in listing and "soni@example.jp" not in listing       # consultation ids, never contacts
    group_id = created(secretariat, grouped)
    page = secretariat.get(f"/admin/groups/{group_id}").text
    assert "宇陀エリア橋梁点検" in page and page.count("未案内") >= len(BRIDGE_BODIES)
    assert all(body in page for body in BRIDGE_BODIES)
    assert "橋梁" in page and "点検" in page                                # the need, field × process
    assert "ドローンによる橋梁点検支援(架空)" in page                        # ranked for the group
    assert "旧式の橋梁点検車(架空)" not in page                              # retired: never shown
    with grouped.session() as session:
        actors = [e.actor for e in session.scalars(select(AuditEntry).where(AuditEntry.kind == "group"))]
    assert actors == ["web:jimukyoku"]
    assert "宇陀エリア橋梁点検" in secretariat.get("/admin/groups").text


def test_members_are_added_and_removed_with_clear_errors(secretariat: Browser, grouped: Database) -> None:
    group_id = created(secretariat, grouped)
    ids = member_ids(grouped, group_id)
    token_from = f"/admin/groups/{group_id}"
    removed = secretariat.post(f"/admin/groups/{group_id}/members/{ids['曽爾村']}/remove", {}, token_from=token_from)
    assert removed.status_code == 303
    assert "曽爾村" not in member_ids(grouped, group_id)
    wrong = secretariat.post(f"/admin/groups/{group_id}/members",
                             {"prefecture": "奈良県", "municipality": "山添村", "consultations": "hc-001"},
                             token_from=token_from)
    assert wrong.status_code == 400 and "奈良県山添村" in wrong.text
    assert 'value="hc-001"' in wrong.text                                    # nothing typed is lost
    none = secretariat.post(f"/admin/groups/{group_id}/members",
                            {"prefecture": "奈良県", "municipality": "山添村", "consultations": ""},
                            token_from=token_from)
    assert none.status_code == 400 and "consultation" in none.text
    added = secretariat.post(f"/admin/groups/{group_id}/members",
                             {"prefecture": "奈良県", "municipality": "曽爾村", "consultations": "hc-001"},
                             token_from=token_from)
    assert added.status_code == 303 and "曽爾村" in member_ids(grouped, group_id)
    again = secretariat.post(f"/admin/groups/{group_id}/members",
                             {"prefecture": "奈良県", "municipality": "曽爾村", "consultations": "hc-001"},
                             token_from=token_from)
    assert again.status_code == 409 and "already a member" in again.text
    renamed = secretariat.post(f"/admin/groups/{group_id}/rename", {"name": "  "}, token_from=token_from)
    assert renamed.status_code == 400
    assert secretariat.get(f"/admin/groups/{group_id}/members/{ids['宇陀市']}/remove").status_code == 405


def test_invitations_go_through_the_relay_to_chat_and_the_outbox(secretariat: Browser, grouped: Database,
                                                                  slack: RecordingSender) -> None:
    group_id = created(secretariat, grouped)
    sent = secretariat.post(f"/admin/groups/{group_id}/invite", {}, token_from=f"/admin/groups/{group_id}")
    assert sent.status_code == 303 and "done=group_invited" in sent.headers["location"]
    assert "sent=1" in sent.headers["location"] and "outbox=3" in sent.headers["location"]
    assert len(slack.sent) == 1
    delivery, users = slack.sent[0]
    assert users == ["U0UDA"] and delivery.notice.event == "group_invitation"
    assert "宇陀エリア橋梁点検" in delivery.text and "御杖村" in delivery.text
    with grouped.session() as session:
        mails = list(session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "group_invitation")))
        states = {m.municipality: m.state for m in session.scalars(
            select(GroupMember).where(GroupMember.group_id == group_id))}
    assert sorted(m.address for m in mails) == ["", "higashi@example.jp", "soni@example.jp"]
    members = member_ids(grouped, group_id)
    assert sorted(m.related for m in mails) == sorted(f"group_member:{members[b]}" for b in ("御杖村", "曽爾村", "東吉野村"))
    assert all("グループ" in m.subject for m in mails)
    assert set(states.values()) == {"invited"}
    for mail in mails:                       # bodies, never a person (no other engineer's contact or chat id)
        assert "U0UDA" not in mail.body and "example.jp" not in mail.body
    again = secretariat.post(f"/admin/groups/{group_id}/invite", {}, token_from=f"/admin/groups/{group_id}")
    assert "done=group_invited_none" in again.headers["location"] and len(slack.sent) == 1


def test_answers_events_and_rsvps(secretariat: Browser, grouped: Database, slack: RecordingSender) -> None:
    group_id = created(secretariat, grouped)
    page = f"/admin/groups/{group_id}"
    ids = member_ids(grouped, group_id)
    early = secretariat.post(f"{page}/members/{ids['宇陀市']}/answer", {"answer": "accept"}, token_from=page)
    assert early.status_code == 409                                          # not invited yet
    secretariat.post(f"{page}/invite", {}, token_from=page)
    for body, answer in (("宇陀市", "accept"), ("御杖村", "accept"), ("曽爾村", "decline")):
        done = secretariat.post(f"{page}/members/{ids[body]}/answer", {"answer": answer}, token_from=page)
        assert done.status_code == 303, done.text
    shown = secretariat.get(page).text
    assert "同意 2" in shown and "見送り 1" in shown
    both = secretariat.post(f"{page}/events", {"tech": "KT-190018-A", "date": "2027-06-01",
                                               "online": "https://meet.example.jp/x", "venue": "宇陀市役所"},
                            token_from=page)
    assert both.status_code == 400 and "exactly one" in both.text
    bad_day = secretariat.post(f"{page}/events", {"tech": "KT-190018-A", "date": "2027-13-01", "venue": "宇陀市役所"},
                               token_from=page)
    assert bad_day.status_code == 400 and "YYYY-MM-DD" in bad_day.text
    made = secretariat.post(f"{page}/events", {"tech": "KT-190018-A", "date": "2027-06-01",
                                               "online": "https://meet.example.jp/x"}, token_from=page)
    assert made.status_code == 303, made.text
    event_path = made.headers["location"].split("?")[0]
    invited = secretariat.post(f"{event_path}/invite", {}, token_from=event_path)
    assert invited.status_code == 303 and "done=event_invited" in invited.headers["location"]
    events = [d.notice.event for d, _ in slack.sent]
    assert events[0] == "group_invitation" and events[-1] == "event_invitation"   # 宇陀市 in chat, each time
    assert "group_joined" in events          # answers by mail or phone are told as chat answers are
    with grouped.session() as session:
        vendor_mail = session.scalar(select(OutboxMessage).where(OutboxMessage.purpose == "event_vendor_invitation",
                                                                 OutboxMessage.address == "sales@drone.example.jp"))
    assert vendor_mail is not None and "説明会" in vendor_mail.body
    rsvp = secretariat.post(f"{event_path}/rsvp", {"member": str(ids["御杖村"]), "rsvp": "attend"},
                            token_from=event_path)
    assert rsvp.status_code == 303
    declined = secretariat.post(f"{event_path}/rsvp", {"member": str(ids["曽爾村"]), "rsvp": "attend"},
                                token_from=event_path)
    assert declined.status_code == 409                                       # it declined the group: never invited
    event_page = secretariat.get(event_path).text
    assert "御杖村" in event_page and "参加" in event_page and "曽爾村" not in event_page
    assert "参加 1" in secretariat.get(page).text


def test_roles_csrf_and_hostile_input(secretariat: Browser, viewer: Browser, public: Browser,
                                      grouped: Database) -> None:
    group_id = created(secretariat, grouped, name="<script>alert(1)</script>")
    page = secretariat.get(f"/admin/groups/{group_id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    shown = viewer.get(f"/admin/groups/{group_id}")
    assert shown.status_code == 200 and "/invite" not in shown.text          # a viewer sees, without the buttons
    assert viewer.post(f"/admin/groups/{group_id}/invite", {}, token_from="/admin/groups").status_code == 403
    assert viewer.post("/admin/groups/suggest", {}, token_from="/admin/groups").status_code == 403
    assert public.get(f"/admin/groups/{group_id}").status_code == 303
    assert public.post(f"/admin/groups/{group_id}/invite", {}).status_code == 403
    forged = secretariat.post(f"/admin/groups/{group_id}/invite", {"csrf_token": "forged"})
    assert forged.status_code == 403
    with grouped.session() as session:
        assert {m.state for m in groups.get_group(session, group_id).members} == {"not_invited"}
    for path in ("/admin/groups/..%2f..%2fetc", "/admin/groups/99999", "/admin/groups/1e3", "/admin/events/0"):
        assert secretariat.get(path).status_code == 404, path
    bad = secretariat.post("/admin/groups/create", {"suggestion": "sg-<b>", "name": "x"}, token_from="/admin/groups")
    assert bad.status_code == 400 and "<b>" not in bad.text
    long_name = secretariat.post("/admin/groups/create", {"suggestion": bridge_suggestion(grouped),
                                                          "name": "長" * 201}, token_from="/admin/groups")
    assert long_name.status_code == 400 and "200" in long_name.text
    unknown = secretariat.post("/admin/groups/create", {"suggestion": "sg-000000", "name": "x"},
                               token_from="/admin/groups")
    assert unknown.status_code == 404
