"""Event ids are claimed once, in the database, whatever the dialect and however many workers race; stored pages."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

import pytest

from bot.relay.events import claim_event, forget_events_older_than
from bot.relay.pages import PageStore
from knowledge.db import Database
from knowledge.models import ProcessedEvent, utcnow


def test_first_claim_wins_and_later_ones_lose(db: Database) -> None:
    assert claim_event(db, "slack", "Ev0001") is True
    assert claim_event(db, "slack", "Ev0001") is False
    assert claim_event(db, "slack", "Ev0002") is True
    assert claim_event(db, "teams", "Ev0001") is True  # ids are per platform


@pytest.mark.parametrize("event_id", ["", "x" * 256])
def test_an_empty_or_oversized_event_id_is_refused(db: Database, event_id: str) -> None:
    with pytest.raises(ValueError, match="1–255"):
        claim_event(db, "slack", event_id)


def test_racing_workers_claim_an_event_exactly_once(db: Database) -> None:
    start = threading.Barrier(6)
    results: list[bool] = []

    def worker() -> None:
        start.wait()
        results.append(claim_event(db, "slack", "Ev0RACE"))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_old_ids_are_forgotten(db: Database) -> None:
    claim_event(db, "slack", "Ev0OLD")
    claim_event(db, "slack", "Ev0NEW")
    with db.session() as session:
        session.execute(update(ProcessedEvent).where(ProcessedEvent.event_id == "Ev0OLD")
                        .values(processed_at=utcnow() - timedelta(days=10)))
    assert forget_events_older_than(db, days=7, platform="slack") == 1
    with db.session() as session:
        assert list(session.scalars(select(ProcessedEvent.event_id))) == ["Ev0NEW"]


def test_page_store_round_trip_and_unknown_tokens(db: Database) -> None:
    pages = PageStore(db, "slack-page:")
    token = pages.new_token()
    pages.put(token, {"text": "続き", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "橋梁"}}]})
    page = pages.get(token)
    assert page is not None and page["blocks"][0]["text"]["text"] == "橋梁"
    assert PageStore(db, "other-page:").get(token) is None   # each adapter's pages under its own prefix
    assert pages.get("0000000001:" + "0" * 24) is None
    assert pages.get("'; drop table meta; --") is None


def test_page_store_purges_pages_older_than_two_weeks(db: Database) -> None:
    now = [1_800_000_000.0]
    pages = PageStore(db, "slack-page:", clock=lambda: now[0])
    old = pages.new_token()
    pages.put(old, {"text": "古い", "blocks": []})
    now[0] += 15 * 24 * 3600
    fresh = pages.new_token()
    pages.put(fresh, {"text": "新しい", "blocks": []})
    assert pages.get(old) is None and pages.get(fresh) is not None
