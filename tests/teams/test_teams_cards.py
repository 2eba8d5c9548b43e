"""Engine replies → Teams activities with Adaptive Cards 1.5."""

from __future__ import annotations

from typing import Any

from bot.dialogue.replies import Card, Choice, Notice, Question, ResultItem, ResultList, Text
from bot.teams import cards


def only_card(activity: Any) -> dict[str, Any]:
    assert activity.type == "message"
    (attachment,) = activity.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    card = attachment.content
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    return card


def submits(card: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every Action.Submit in the card (top-level and inside ActionSets), as (title, data)."""
    found: list[tuple[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append((node["title"], node.get("data")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def test_text_becomes_a_plain_message_with_markdown_line_breaks() -> None:
    (activity,) = cards.render([Text("一行目\n二行目")])
    assert activity.text == "一行目\n\n二行目"
    assert not activity.attachments


def test_question_choices_become_submit_buttons_carrying_the_opaque_value() -> None:
    question = Question("どの分野ですか？", (Choice("橋梁", "f:bridge"), Choice("道路", "f:road", style="primary")),
                        free_text_hint="ほかの分野なら書いてください")
    card = only_card(cards.render_one(question))
    assert submits(card) == [("橋梁", {"gunmane": "f:bridge"}), ("道路", {"gunmane": "f:road"})]
    assert card["actions"][1]["style"] == "positive"
    texts = [block["text"] for block in card["body"] if block["type"] == "TextBlock"]
    assert texts == ["どの分野ですか？", "ほかの分野なら書いてください"]


def test_many_choices_become_a_required_dropdown_that_submits_under_the_same_key() -> None:
    choices = tuple(Choice(f"選択肢{i}", f"v{i}") for i in range(8))
    card = only_card(cards.render_one(Question("どれですか？", choices)))
    (choice_set,) = [block for block in card["body"] if block["type"] == "Input.ChoiceSet"]
    assert choice_set["id"] == cards.SUBMIT_KEY and choice_set["isRequired"] is True
    assert [c["value"] for c in choice_set["choices"]] == [f"v{i}" for i in range(8)]
    assert [title for title, _ in submits(card)] == ["選択"]


def test_dropdown_button_speaks_english_when_the_turn_is_english() -> None:
    choices = tuple(Choice(f"option {i}", f"v{i}") for i in range(6))
    card = only_card(cards.render_one(Question("Which one?", choices), "en"))
    assert [title for title, _ in submits(card)] == ["Choose"]


def test_intake_card_shows_fields_as_facts_and_its_actions() -> None:
    card_reply = Card("課題カード", (("市町村", "奈良県宇陀市"), ("課題", "橋梁点検の人手不足"), ("希望", "")),
                      actions=(Choice("この内容で探す", "confirm", style="primary"), Choice("修正する", "edit")))
    card = only_card(cards.render_one(card_reply))
    assert card["body"][0]["text"] == "課題カード"
    facts = card["body"][1]["facts"]
    assert facts == [{"title": "市町村", "value": "奈良県宇陀市"}, {"title": "課題", "value": "橋梁点検の人手不足"},
                     {"title": "希望", "value": "—"}]
    assert submits(card) == [("この内容で探す", {"gunmane": "confirm"}), ("修正する", {"gunmane": "edit"})]


def test_results_list_each_item_with_reason_distance_and_its_own_intro_action() -> None:
    results = ResultList(
        "おすすめ",
        (
            ResultItem("advisor", "A-1", "山田 太郎（橋梁）", "橋梁点検の経験", detail="元県職員", distance_km=12.34,
                       actions=(Choice("紹介を依頼", "intro:advisor:A-1", style="primary"),)),
            ResultItem("case", "C-1", "奈良県の垂直補完", "橋梁の点検を県が代行", distance_km=3.21),
        ),
        more=Choice("もっと見る", "more"),
    )
    card = only_card(cards.render_one(results))
    advisor, case = card["body"][1], card["body"][2]
    advisor_texts = [item.get("text") for item in advisor["items"] if item["type"] == "TextBlock"]
    assert advisor_texts == ["アドバイザー", "山田 太郎（橋梁）", "橋梁点検の経験", "元県職員", "約12 km"]
    assert "約3.2 km" in [item.get("text") for item in case["items"]]
    assert submits(advisor) == [("紹介を依頼", {"gunmane": "intro:advisor:A-1"})]
    assert submits(case) == []
    assert card["actions"] == [{"type": "Action.Submit", "title": "もっと見る", "data": {"gunmane": "more"}}]


def test_notices_are_not_shown_and_order_is_kept() -> None:
    rendered = cards.render([Text("a"), Notice("intro_requested", 7), Text("b")])
    assert [activity.text for activity in rendered] == ["a", "b"]


def test_card_messages_carry_a_summary_for_notifications() -> None:
    activity = cards.render_one(Card("課題カード", ()))
    assert activity is not None and activity.summary == "課題カード"
