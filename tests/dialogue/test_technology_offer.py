"""新技術 in the dialogue: technologies are offered when the help wanted is 新技術, with their why, never
their vendor's contact; a consultation that does not ask for them gets none."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.dialogue.replies import Card, Question, ResultList
from knowledge.db import Database, bump_version
from knowledge.models import SubIssue, Technology
from tests.dialogue.conversation import Conversation, all_choices, results, texts

CONTACTS = ("sales@drone.example.jp", "old@example.jp", "road@example.jp")


@pytest.fixture
def with_techs(seeded: Database) -> Database:
    with seeded.session() as s:
        s.add_all([
            Technology(ext_id="KT-190018-A", name="ドローンによる橋梁点検支援(架空)", vendor="架空ドローン株式会社",
                       description="足場なしで橋梁の近接目視を補助する撮影と損傷図の作成。点検の外注費を減らします。",
                       fields=["bridge"], processes=["inspection"], catalogue="inspection_catalogue",
                       contact=CONTACTS[0], status="active"),
            Technology(ext_id="tech-old", name="旧式の橋梁点検車(架空)", vendor="架空重機",
                       description="販売終了した橋梁点検車。橋梁点検に。", fields=["bridge"], processes=["inspection"],
                       catalogue="other", contact=CONTACTS[1], status="retired"),
            Technology(ext_id="tech-road", name="舗装のAI路面診断(架空)", vendor="架空路面",
                       description="パトロール車のカメラで舗装のひび割れと穴を自動検出します。", fields=["pavement"],
                       processes=["patrol"], catalogue="netis", contact=CONTACTS[2], status="active"),
        ])
        bump_version(s, "technology")
    return seeded


def _to_results(conv: Conversation, wanted: str | None = None) -> list[ResultList]:
    for _ in range(8):
        if any(isinstance(r, Card) for r in conv.last.replies):
            return results(conv.press("この内容で探す"))
        question = next(r for r in conv.last.replies if isinstance(r, Question))
        labels = [c.label for c in question.choices]
        conv.press(wanted if wanted in labels else labels[0])
    raise AssertionError("the card never appeared:\n" + conv.transcript())


def test_technologies_offered_when_asked_for_with_why_and_no_contact(alice, with_techs):
    alice.say("奈良県宇陀市の者です。橋の点検が人手不足で追いつかないので、使える新技術を知りたい")
    lists = _to_results(alice)
    assert lists, alice.transcript()
    first = lists[0]
    assert "新技術" in first.title                                     # the wanted kind comes first
    ids = [item.id for item in first.items]
    assert ids and ids[0] == "KT-190018-A" and "tech-old" not in ids    # retired never shown
    assert "tech-road" not in ids                                      # pavement: not the facility asked about
    drone = first.items[0]
    assert drone.kind == "technology" and drone.why
    assert "架空ドローン株式会社" in drone.detail and "点検支援技術性能カタログ" in drone.detail
    assert drone.actions == ()                                         # no introduction button, no contact
    transcript = alice.transcript()
    assert "応じてからお知らせします" in transcript
    assert not [c for c in CONTACTS if c in transcript]
    assert not [c for c in all_choices(alice.last) if any(x in c.value for x in CONTACTS)]
    assert {"advisor", "case"} <= {item.kind for r in lists for item in r.items}  # the other kinds still follow
    with with_techs.session() as s:
        sub = s.scalars(select(SubIssue)).one()
        assert "technology" in sub.wanted and sub.recommendations["technology"]
        assert not [c for c in CONTACTS if c in json.dumps(sub.recommendations, ensure_ascii=False)]


def test_technologies_picked_as_the_help_wanted(alice, with_techs):
    alice.say("奈良県宇陀市です。橋の点検のことで")
    lists = _to_results(alice, wanted="新技術")
    kinds = [item.kind for r in lists for item in r.items]
    assert "technology" in kinds, alice.transcript()
    assert next(r for r in lists if r.items).items[0].kind == "technology"


def test_no_technologies_when_not_asked_for(alice, with_techs):
    alice.say("奈良県宇陀市の者です。橋の点検を頼める人がいなくて困っています。相談できる専門家はいますか")
    lists = _to_results(alice, wanted="アドバイザー")
    kinds = {item.kind for r in lists for item in r.items}
    assert "advisor" in kinds                                           # results were shown
    assert "technology" not in kinds and "応じてからお知らせします" not in texts(alice.last)
