"""Issue 10 over the real Teams endpoint: a question, a named request (brokered, the secretariat told), a 見立て."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from teams_stack import TeamsStack, card_choices

from bot.dialogue import messages
from knowledge.db import Database
from knowledge.sample import seed_sample
from tests.teams.test_teams_consultation import choices_since, everything_said_to


@pytest.fixture
def sample_db(db: Database) -> Iterator[Database]:
    with db.session() as session:
        seed_sample(session)
    yield db


def test_a_question_gets_a_sourced_answer(teams_http: TeamsStack, sample_db: Database) -> None:
    user = teams_http.user("aad-question")
    assert user.says("群マネって何ですか？") == 202
    said = everything_said_to(teams_http, user)
    assert "出典" in said and "複数の自治体" in said
    buttons = choices_since(teams_http, user, 0)
    assert messages.say("ja", "offer_advisor") in buttons and messages.say("ja", "offer_window") in buttons


def test_a_named_request_is_brokered_and_the_secretariat_hears_of_it(
    teams_http_with_secretariat: TeamsStack, sample_db: Database
) -> None:
    stack = teams_http_with_secretariat
    secretariat = stack.user("aad-secretariat-1", "事務局")
    secretariat.says("こんにちは")
    seen_by_secretariat = len(stack.messages_to(secretariat))
    user = stack.user("aad-named")
    assert user.says("三条市の担当者を紹介してほしい") == 202
    buttons = choices_since(stack, user, 0)
    request = messages.say("ja", "request_case_intro")
    assert request in buttons
    assert user.clicks(buttons[request]) == 202
    assert "事務局に依頼しました" in everything_said_to(stack, user)
    notes = [call.text for call in stack.messages_to(secretariat)[seen_by_secretariat:]]
    assert len(notes) == 1 and "三条市" in notes[0] and "reassign" in notes[0]
    assert "aad-named" not in notes[0]


def _all_choices(call: object) -> dict[str, str]:
    """Buttons and the options of a drop-down (many choices are shown as an Input.ChoiceSet)."""
    found = dict(card_choices(call))  # type: ignore[arg-type]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Input.ChoiceSet":
                found.update({c["title"]: c["value"] for c in node.get("choices", [])})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(getattr(call, "adaptive_cards", []))
    return found


def test_counselling_ends_in_an_assessment_and_the_card(teams_http: TeamsStack, sample_db: Database) -> None:
    user = teams_http.user("aad-counsel")
    assert user.says("宇陀市の者です。何が課題なのかもよく分からない。技術職は私一人です") == 202
    prefer = ["点検", "橋・トンネル", "5年ごとの定期点検の時期", "人が足りない", "まだ何も"]
    seen = 0
    for _ in range(5):
        calls = teams_http.messages_to(user)
        buttons: dict[str, str] = {}
        for call in calls[seen:]:
            buttons.update(_all_choices(call))
        seen = len(calls)
        if messages.say("ja", "accept") in buttons:
            break
        assert buttons, everything_said_to(teams_http, user)
        label = next((p for p in prefer if p in buttons), next(iter(buttons)))
        assert user.clicks(buttons[label]) == 202
    said = everything_said_to(teams_http, user)
    assert "見立て" in said and "課題カード" in said and "代行" in said


def test_an_implied_work_is_asked_with_the_likely_choice_first(teams_http: TeamsStack, sample_db: Database) -> None:
    user = teams_http.user("aad-likely")
    assert user.says("奈良県宇陀市の者です。町の橋、気付いたときには鉄筋が錆びて見えていました") == 202
    assert "近そうなもの" in everything_said_to(teams_http, user)
    buttons = choices_since(teams_http, user, 0)
    assert "点検" in buttons and "ほかの業務（一覧から選ぶ）" in buttons
    assert user.clicks(buttons["点検"]) == 202
    assert "どんな助け" in everything_said_to(teams_http, user)
