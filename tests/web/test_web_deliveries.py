"""What a console decision produces is carried by the relay: a chat contact hears it in chat (the
platform's sender), a mail contact gets one message in the outbox — never a row only."""

from __future__ import annotations

from typing import Any

from bot.relay.senders import SenderRegistry
from bot.secretariat import outbox, submissions
from knowledge.db import Database
from tests.web.conftest import Browser
from tests.web.test_web_forms import TRAINING
from tests.web.test_web_groups import RecordingSender


def test_an_organiser_with_a_chat_contact_hears_the_approval_in_chat(app: Any, secretariat: Browser,
                                                                     public: Browser, sample: Database) -> None:
    slack = RecordingSender()
    app.state.web.caches["senders"] = SenderRegistry([slack])
    for contact in ("slack:U0ORGANISER", "org@example.jp"):
        assert public.post("/submit", {**TRAINING, "submitter_contact": contact},
                           token_from="/submit").status_code == 200
    with sample.session() as session:
        numbers = {s.submitter_contact: s.id for s in submissions.list_submissions(session)}
    assert set(numbers) == {"slack:U0ORGANISER", "org@example.jp"}
    for number in numbers.values():
        done = secretariat.post(f"/admin/submissions/{number}/approve", {},
                                token_from=f"/admin/submissions/{number}")
        assert done.status_code == 303
    assert [(d.notice.event, users) for d, users in slack.sent] == [("submission_approved", ["U0ORGANISER"])]
    assert "舗装点検の研修" in slack.sent[0][0].text and "掲載しました" in slack.sent[0][0].text
    with sample.session() as session:
        mails = outbox.pending(session)
    assert [(m.address, m.purpose) for m in mails] == [("org@example.jp", "submission_approved")]
    assert "U0ORGANISER" not in mails[0].body
