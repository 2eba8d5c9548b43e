"""Rendering engine replies into Block Kit: escaping, Slack's limits, pages."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from bot.dialogue.replies import (
    Card,
    Choice,
    ConsultationSummary,
    IntroductionSummary,
    Notice,
    Overview,
    Question,
    ResultItem,
    ResultList,
    Text,
)
from bot.slack import blocks
from bot.slack.fake_api import block_problems
from bot.slack.home import home_view


def _all_text(message: blocks.SlackMessage) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


def test_user_text_cannot_mention_everyone_or_disguise_a_link() -> None:
    hostile = "<!channel> <@U0BOSS> <https://evil.example|銀行> & <!here>"
    for reply in (Text(hostile), Card("課題カード", (("課題", hostile),)),
                  Question(hostile, (Choice(hostile, "v"),)),
                  ResultList("結果", (ResultItem("case", "c1", hostile, hostile, hostile),))):
        for message in blocks.render(reply):
            assert "<" not in message.text  # the notification text is parsed as mrkdwn too
            parsed = [t for b in message.blocks for t in _text_objects(b) if t["type"] == "mrkdwn"]
            assert parsed, "user text must be shown"
            for text_object in parsed:
                assert text_object["verbatim"] is True
                assert "<" not in text_object["text"] and ">" not in text_object["text"]
            # plain_text (headers, button labels) is never parsed for mentions or links by Slack


def _text_objects(node: object) -> list[dict]:
    found = []
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
            found.append(node)
        for value in node.values():
            found += _text_objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _text_objects(value)
    return found


def test_japanese_is_kept_as_is_and_only_three_characters_are_escaped() -> None:
    (message,) = blocks.render(Text("橋梁の点検 & 補修 <案>"))
    assert message.blocks[0]["text"]["text"] == "橋梁の点検 &amp; 補修 &lt;案&gt;"


def test_a_ten_thousand_character_text_is_split_within_limits() -> None:
    messages = blocks.render(Text("橋" * 10_000 + "&" * 500))
    assert sum(len(m.blocks) for m in messages) >= 4
    for message in messages:
        assert block_problems(message.blocks) == []
        for block in message.blocks:
            assert not block["text"]["text"].endswith(("&", "&a", "&am", "&amp"))


def test_long_labels_and_many_choices_fit_slack() -> None:
    prefectures = tuple(Choice(f"{n}県" * 30, f"q|n|1|{n}") for n in range(47))
    messages = blocks.render(Question("どちらの県ですか？" * 400, prefectures, free_text_hint="入力もできます"))
    for message in messages:
        assert block_problems(message.blocks) == []
    selects = [e for m in messages for b in m.blocks if b["type"] == "actions" for e in b["elements"]]
    assert selects[0]["type"] == "static_select" and len(selects[0]["options"]) == 47


def test_few_choices_are_buttons_with_unique_action_ids() -> None:
    (message,) = blocks.render(Question("よろしいですか？", (Choice("はい", "q|n|1|y", "primary"), Choice("いいえ", "q|n|1|n"))))
    buttons = message.blocks[-1]["elements"]
    assert [b["type"] for b in buttons] == ["button", "button"]
    assert buttons[0]["style"] == "primary" and buttons[0]["value"] == "q|n|1|y"
    assert len({b["action_id"] for b in buttons}) == 2


def test_card_fields_and_actions() -> None:
    card = Card("課題カード", (("自治体", "奈良県宇陀市"), ("課題", "長い説明" * 800)), (Choice("これで探す", "q|n|2|ok"),))
    (message,) = blocks.render(card)
    assert message.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "課題カード", "emoji": True}}
    assert block_problems(message.blocks) == []
    assert message.blocks[-1]["elements"][0]["value"] == "q|n|2|ok"


def test_long_result_list_is_paged_and_each_page_fits() -> None:
    items = tuple(
        ResultItem("advisor", f"a{n}", f"助言者 {n}", "橋梁点検の経験" * 50, "県OB" * 200, 12.3,
                   (Choice("紹介を依頼", f"ir|1|advisor|{n}"),))
        for n in range(35)
    )
    pages = blocks.render(ResultList("アドバイザー", items, more=Choice("もっと見る", "mr|1|advisor")))
    assert len(pages) == 4
    for page in pages:
        assert block_problems(blocks.with_more_button(page, "0000000001:" + "a" * 24, "ja").blocks) == []
    assert "約12 km" in pages[0].blocks[1]["text"]["text"]
    assert pages[0].blocks[1]["accessory"]["value"] == "ir|1|advisor|0"
    assert pages[-1].blocks[-1]["elements"][0]["value"] == "mr|1|advisor"
    assert all("mr|1|advisor" not in json.dumps(page.blocks) for page in pages[:-1])


def test_notice_renders_nothing() -> None:
    assert blocks.render(Notice("intro_requested", 1)) == []


def test_mark_chosen_replaces_only_the_pressed_control() -> None:
    items = tuple(ResultItem("advisor", f"a{n}", f"助言者 {n}", "理由", actions=(Choice("紹介を依頼", f"ir|1|advisor|{n}"),))
                  for n in range(2))
    (page,) = blocks.render(ResultList("アドバイザー", items))
    pressed = page.blocks[1]["accessory"]["action_id"]
    updated = blocks.mark_chosen(page.blocks, pressed, "紹介を依頼", "ja")
    assert "accessory" not in updated[1] and updated[2]["type"] == "context"
    assert updated[3]["accessory"]["value"] == "ir|1|advisor|1"


def test_home_view_lists_consultations_and_introductions_within_limits() -> None:
    when = datetime(2026, 11, 24, tzinfo=timezone.utc)
    overview = Overview("slack", "U1",
                        [ConsultationSummary(n, when, "奈良県宇陀市", "橋梁・点検 <!channel>", "recommended") for n in range(30)],
                        [IntroductionSummary(1, "requester", "高橋 誠(架空)", "advisor", "requested", when, "橋の点検")])
    view = home_view(overview)
    assert view["type"] == "home" and block_problems(view["blocks"], 100) == []
    text = json.dumps(view, ensure_ascii=False)
    assert "奈良県宇陀市" in text and "高橋 誠(架空)" in text and "返事待ち" in text and "ほか 10 件" in text
    assert "<!channel>" not in text
