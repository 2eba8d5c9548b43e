"""Issue 10 over the real Slack HTTP server: a question, a named request (brokered to the secretariat), a 見立て."""

from __future__ import annotations

from tests.slack.conftest import SECRETARIAT, SlackServer, texts_of
from tests.slack.test_flow import labels, posted, wait_message

USER, CHANNEL = "U0COUNSEL", "D0COUNSEL"


def test_a_question_gets_a_sourced_answer(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    assert (
        send.dm("地域インフラ群再生戦略マネジメントについて詳しく教えて欲しい。", user=USER, channel=CHANNEL).status
        == 200
    )
    answer = wait_message(api, lambda c: "出典" in texts_of(c))
    assert "複数の自治体" in texts_of(answer)
    offers = wait_message(api, lambda c: "アドバイザーに相談する" in labels(c))
    assert "地域の相談窓口を見る" in labels(offers)
    assert not any("どの施設" in texts_of(c) for c in posted(api))


def test_a_named_request_is_brokered_to_the_secretariat_channel(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    assert (
        send.dm("包括的民間委託の事例に載っている三条市の担当者を紹介してほしい。", user=USER, channel=CHANNEL).status
        == 200
    )
    cases = wait_message(api, lambda c: "この事例の方に紹介を依頼" in labels(c))
    assert "三条市" in texts_of(cases)
    assert send.click(cases, "この事例の方に紹介を依頼", user=USER).status == 200
    wait_message(api, lambda c: "事務局に依頼しました" in texts_of(c))
    note = api.wait_for(("chat.postMessage",), where=lambda c: c.params.get("channel") == SECRETARIAT)[-1]
    assert "intros reassign" in texts_of(note) and "三条市" in texts_of(note)


def test_counselling_ends_in_an_assessment_and_the_card(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    first = "奈良県宇陀市の者です。正直、何が課題なのかもよく分からない。技術職は私一人で、何もかも回ってない"
    assert send.dm(first, user=USER, channel=CHANNEL).status == 200
    answers = {
        "いちばん時間": "点検",
        "施設": "橋・トンネル",
        "控えて": "5年ごとの定期点検の時期",
        "困って": "人が足りない",
        "試した": "まだ何も",
        "技術職員": "1人",
    }
    pressed: list[int] = []
    for _ in range(5):
        call = wait_message(api, lambda c: bool(labels(c)) and id(c) not in pressed)
        if "この内容で探す" in labels(call):
            break
        pressed.append(id(call))
        text = texts_of(call)
        choice = next((v for k, v in answers.items() if k in text), labels(call)[0])
        assert send.click(call, choice, user=USER).status == 200
    card = wait_message(api, lambda c: "この内容で探す" in labels(c))
    assert "橋梁" in texts_of(card) and "代行" in texts_of(card)
    assert any("見立て" in texts_of(c) for c in posted(api))


def test_an_implied_work_is_asked_with_the_likely_choice_first(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    text = "奈良県宇陀市の者です。町の橋、気付いたときには鉄筋が錆びて見えていました"
    assert send.dm(text, user=USER, channel=CHANNEL).status == 200
    ask = wait_message(api, lambda c: "ほかの業務（一覧から選ぶ）" in labels(c))
    assert labels(ask)[0] == "点検" and "近そうなもの" in texts_of(ask)
    assert send.click(ask, "点検", user=USER).status == 200
    wait_message(api, lambda c: "どんな助け" in texts_of(c))
