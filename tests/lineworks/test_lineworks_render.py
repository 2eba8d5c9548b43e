"""Every reply type as LINE WORKS contents, each within the documented limits (checked by the fake's rules)."""

from __future__ import annotations

import json

import pytest

from bot.dialogue import messages
from bot.dialogue.replies import Card, Choice, Notice, Question, ResultItem, ResultList, Text
from bot.lineworks.fake_api import content_problems
from bot.lineworks.render import MAX_FLEX_BYTES, defuse, render, size_of


def accepted(contents: list[dict[str, object]]) -> list[dict[str, object]]:
    assert contents, "nothing was rendered"
    for content in contents:
        assert content_problems(content) == [], json.dumps(content, ensure_ascii=False)[:300]
    return contents


def choices(n: int, label: str = "選択肢") -> tuple[Choice, ...]:
    return tuple(Choice(f"{label}{i}", f"q|nonce|1|{i}") for i in range(n))


def test_texts_in_a_row_and_the_question_after_them_are_one_message() -> None:
    question = Question("どの分野ですか？", choices(3))
    (only,) = accepted(render([Text("こんにちは。"), Text("宇陀市ですね。"), question]))
    assert only["type"] == "button_template"
    assert only["contentText"] == "こんにちは。\n宇陀市ですね。\nどの分野ですか？"


def test_the_last_question_one_may_also_type_an_answer_to_comes_with_quick_replies() -> None:
    long_labels = choices(3, "とても長い名前の選択肢です、二十文字を超えます")
    question = Question("どの分野ですか？", long_labels, "自由記述も可")
    (only,) = accepted(render([Text("宇陀市ですね。"), question, Notice("intro_requested", 1)]))
    assert only["type"] == "text" and only["text"] == "宇陀市ですね。\nどの分野ですか？\n（自由記述も可）"
    actions = [item["action"] for item in only["quickReply"]["items"]]  # type: ignore[index]
    assert [a["postback"] for a in actions] == [f"q|nonce|1|{i}" for i in range(3)]
    assert all(len(a["label"]) == 20 and a["text"].startswith("とても長い名前") for a in actions)


@pytest.mark.parametrize("replies", [
    pytest.param([Question("どの分野ですか？", choices(3), "自由記述も可"), Card("課題カード", (("課題", "橋"),))],
                 id="not-the-last-reply"),
    pytest.param([Question("どの分野ですか？", choices(14), "自由記述も可")], id="more-than-13-choices"),
])
def test_other_questions_stay_button_templates(replies: list[Question | Card]) -> None:
    contents = accepted(render(list(replies)))
    assert contents[0]["type"] == "button_template" and not any("quickReply" in c for c in contents)


def test_a_long_text_is_split_at_line_breaks_into_messages_of_2000_characters() -> None:
    text = "\n".join(["橋の点検が回りません。" * 30] * 20)          # about 6,600 characters
    parts = accepted(render([Text(text)]))
    assert len(parts) >= 4 and all(len(str(p["text"])) <= 2000 for p in parts)
    assert "".join(str(p["text"]) for p in parts).replace("\n", "") == text.replace("\n", "")


def test_a_question_with_fifteen_choices_continues_in_a_second_template() -> None:
    first, second = accepted(render([Question("業務を選んでください", choices(15))]))
    assert len(first["actions"]) == 10 and len(second["actions"]) == 5  # type: ignore[arg-type]
    assert first["contentText"] == "業務を選んでください"
    assert second["contentText"] == messages.say("ja", "page_of", n=2, total=2)   # the catalogue's words
    assert [a["postback"] for a in first["actions"] + second["actions"]] == [f"q|nonce|1|{i}" for i in range(15)]  # type: ignore[operator]


def test_a_long_label_is_cut_on_the_button_and_sent_in_full() -> None:
    label = "問題1「村道の橋梁の定期点検を頼める人がいない」"
    (template,) = accepted(render([Question("どれを直しますか？", (Choice(label, "q|n|1|sub:0"),))]))
    (button,) = template["actions"]  # type: ignore[misc]
    assert len(button["label"]) == 20 and button["label"].endswith("…") and button["text"] == label


def test_a_question_too_long_for_a_template_is_sent_as_text_first() -> None:
    contents = accepted(render([Question("長い説明。" * 300, choices(2))], "en"))
    assert contents[0]["type"] == "text" and contents[-1]["contentText"] == messages.say("en", "select")


def test_a_question_without_choices_is_a_text() -> None:
    asked = "どちらの自治体ですか？"
    assert accepted(render([Question(asked, ())])) == [{"type": "text", "text": asked}]


def test_the_card_is_a_flexible_template_with_its_fields_and_buttons() -> None:
    card = Card("課題カード", (("自治体", "奈良県宇陀市"), ("課題", "橋の点検" * 200)),
                (Choice("この内容で探す", "q|n|2|accept", "primary"), Choice("修正する", "q|n|2|edit")))
    (flex,) = accepted(render([card]))
    bubble = flex["contents"]
    assert flex["altText"] == "課題カード" and bubble["type"] == "bubble"  # type: ignore[index]
    words = json.dumps(bubble, ensure_ascii=False)
    assert "奈良県宇陀市" in words and "q|n|2|accept" in words and '"style": "primary"' in words


def item(n: int, detail: str = "先行事例の詳しい説明。") -> ResultItem:
    return ResultItem("advisor", f"adv-{n}", f"橋梁 太郎{n}（架空）", "橋梁の点検を多数指導", detail, 12.5,
                      (Choice("紹介を依頼", f"ir|1|advisor|{n}", "primary"),))


def test_results_are_a_carousel_with_one_bubble_each_and_more_as_its_own_bubble() -> None:
    results = ResultList("アドバイザー", (item(1), item(2), item(3)), Choice("もっと見る", "mr|1|advisor"))
    (flex,) = accepted(render([results]))
    bubbles = flex["contents"]["contents"]  # type: ignore[index]
    assert len(bubbles) == 4 and "mr|1|advisor" in json.dumps(bubbles[-1])
    assert messages.say("ja", "distance", km="12") in json.dumps(bubbles[0], ensure_ascii=False)


def test_many_or_large_results_are_split_into_carousels_that_fit() -> None:
    contents = accepted(render([ResultList("研修", tuple(item(n, "とても長い説明。" * 400) for n in range(12)))]))
    assert len(contents) >= 2
    assert all(len(c["contents"]["contents"]) <= 10 for c in contents)  # type: ignore[index]
    assert all(size_of(c["contents"]) <= MAX_FLEX_BYTES for c in contents)  # type: ignore[arg-type]
    assert sum(len(c["contents"]["contents"]) for c in contents) == 12  # type: ignore[index]


def test_notices_are_not_shown() -> None:
    assert render([Notice("intro_requested", 3)]) == []


@pytest.mark.parametrize("text", ['<m userId="all">', "< m userId='x'>", "<M USERID=\"boss\">", "</m>"])
def test_mention_markup_is_defused_everywhere(text: str) -> None:
    rendered = json.dumps(render([Text(text), Card(text, ((text, text),), (Choice(text, "q|n|1|x"),))]),
                          ensure_ascii=False)
    assert "<m" not in rendered.lower().replace(" ", "") and "＜" in rendered
    assert defuse("a < b and c<d") == "a < b and c<d"


def test_a_choice_value_over_the_postback_limit_is_a_bug_not_a_silent_cut() -> None:
    with pytest.raises(ValueError, match="300"):
        render([Question("?", (Choice("x", "q|" + "n" * 400),))])
