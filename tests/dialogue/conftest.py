"""Fixtures for the dialogue scenarios: a seeded database, an engine with the fake embedder, a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from bot.dialogue.engine import DialogueEngine
from knowledge.db import Database, bump_version
from knowledge.models import Advisor, Case, Engineer, Training
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder
from tests.dialogue.conversation import Conversation


# Chat ids of the people introductions are tested with (not in the sample data).
ADVISOR_CONTACT = "UADVISOR1"
ENGINEER_CONTACT = "teams:aad-engineer-1"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _seed_dialogue_records(db: Database) -> None:
    with db.session() as s:
        s.add_all([
            Advisor(ext_id="dlg-adv-1", name="橋本 一郎（架空）", affiliation="県OB", kind="retired_official",
                    expertise="橋梁の定期点検と補修設計の発注支援。小規模町村の橋梁長寿命化計画。",
                    fields=["bridge"], processes=["inspection", "procurement", "planning"], prefecture="奈良県",
                    regions=[], capacity=2, status="active", contact=ADVISOR_CONTACT),
            Advisor(ext_id="dlg-adv-2", name="川田 二郎（架空）", affiliation="コンサルタント", kind="consultant",
                    expertise="橋梁点検の外注、包括的民間委託、発注仕様書づくり。",
                    fields=["bridge", "road"], processes=["inspection", "procurement"], prefecture="奈良県",
                    regions=[], capacity=3, status="active", contact="kawada@example.jp"),
            Advisor(ext_id="dlg-adv-3", name="休止 三郎（架空）", affiliation="大学", kind="academic",
                    expertise="橋梁点検の専門家。", fields=["bridge"], processes=["inspection"],
                    regions=[], capacity=3, status="paused", contact="UPAUSED1"),
            Engineer(ext_id="dlg-eng-1", name="近藤 四郎（架空）", prefecture="奈良県", municipality="桜井市",
                     department="建設課", years=12, expertise="町道橋の点検と除雪計画、側溝の補修。",
                     fields=["bridge", "road"], processes=["inspection", "snow_removal"], discoverable=True,
                     contact=ENGINEER_CONTACT),
            Engineer(ext_id="dlg-eng-2", name="非公開 五郎（架空）", prefecture="奈良県", municipality="宇陀市",
                     department="建設課", years=8, expertise="橋梁点検。", fields=["bridge"],
                     processes=["inspection"], discoverable=False, contact="UHIDDEN1"),
            Case(ext_id="dlg-case-1", title="県による町村の橋梁点検代行（架空事例）",
                 summary="県が町村の橋梁点検・設計を一括で代行し、発注事務を減らした。", prefecture="奈良県",
                 municipalities=["奈良県", "曽爾村"], scheme=["delegation"], fields=["bridge"],
                 processes=["inspection", "design"]),
            Training(ext_id="dlg-tr-1", title="橋梁点検 実務研修（架空）", kind="training", organizer="近畿地方整備局",
                     prefecture="大阪府", description="道路橋の定期点検の実務を学ぶ研修。", fields=["bridge"],
                     processes=["inspection"]),
        ])
        for kind in ("advisor", "case", "engineer", "training"):
            bump_version(s, kind)


@pytest.fixture
def seeded(db: Database) -> Database:
    """The sample data plus the records the introduction tests use."""
    from knowledge import sample

    with db.session() as s:
        sample.seed_sample(s)
    _seed_dialogue_records(db)
    return db


@pytest.fixture
def engine(seeded: Database, settings: Settings, clock: Clock) -> Iterator[DialogueEngine]:
    yield DialogueEngine(seeded, settings, embedder=FakeEmbedder(), clock=clock)


@pytest.fixture
def alice(engine: DialogueEngine) -> Conversation:
    return Conversation(engine, "U_ALICE")
