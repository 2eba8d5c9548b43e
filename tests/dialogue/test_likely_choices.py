"""When the intake only guessed a facility or a work, the dialogue asks with the likely codes first."""

from __future__ import annotations

from bot.dialogue.replies import Card, Question
from tests.dialogue.conversation import Conversation, texts

# 「気付いたときには…錆びていた」 implies an inspection (a weak rule), it does not name one.
IMPLIED = "奈良県宇陀市の者です。町の橋、気付いたときには鉄筋が錆びて見えていました"
# The user names the repair; the inspection is still only implied.
NAMED_AND_IMPLIED = "奈良県宇陀市の者です。町の橋を補修したい。気付いたときには鉄筋が錆びて見えていました"


def _question(conv: Conversation) -> Question:
    found = [r for r in conv.last.replies if isinstance(r, Question)]
    assert found, conv.transcript()
    return found[-1]


def _card_row(conv: Conversation, label: str) -> str:
    card = next((r for r in conv.last.replies if isinstance(r, Card)), None)
    assert card is not None, conv.transcript()
    return next(value for name, value in card.fields if name == label)


def test_an_implied_work_is_asked_with_the_likely_one_first(alice: Conversation) -> None:
    alice.say(IMPLIED)
    q = _question(alice)
    labels = [c.label for c in q.choices]
    assert "近そうなもの" in q.text
    assert labels[0] == "点検" and "ほかの業務（一覧から選ぶ）" in labels
    assert len(labels) < 8                      # a few likely choices, not the whole list
    alice.press("点検")
    for _ in range(3):                          # what help is wanted, then the card
        if any(isinstance(r, Card) for r in alice.last.replies):
            break
        alice.press("アドバイザー")
    assert "点検" in _card_row(alice, "業務")


def test_the_whole_list_is_one_press_away(alice: Conversation) -> None:
    alice.say(IMPLIED)
    alice.press("ほかの業務（一覧から選ぶ）")
    labels = [c.label for c in _question(alice).choices]
    assert len(labels) >= 14 and "工事" in labels
    alice.press("工事")
    for _ in range(3):
        if any(isinstance(r, Card) for r in alice.last.replies):
            break
        alice.press("アドバイザー")
    row = _card_row(alice, "業務")
    assert "工事" in row and "点検" not in row      # the guess was not kept behind the user's back


def test_yes_to_a_single_likely_work_takes_it(alice: Conversation) -> None:
    alice.say(IMPLIED)
    turn = alice.say("はい")
    assert "どんな助け" in texts(turn)
    alice.press("アドバイザー")
    assert "点検" in _card_row(alice, "業務")


def test_a_guess_beside_named_work_is_asked_and_no_keeps_the_named_work(alice: Conversation) -> None:
    alice.say(NAMED_AND_IMPLIED)
    q = _question(alice)
    assert "のほかに" in q.text and "工事" in q.text
    labels = [c.label for c in q.choices]
    assert labels[0] == "点検" and any(label.startswith("いいえ") for label in labels)
    alice.press("いいえ")
    for _ in range(3):
        if any(isinstance(r, Card) for r in alice.last.replies):
            break
        alice.press("アドバイザー")
    row = _card_row(alice, "業務")
    assert "工事" in row and "点検" not in row


def test_a_guess_beside_named_work_can_be_added(alice: Conversation) -> None:
    alice.say(NAMED_AND_IMPLIED)
    alice.press("点検")
    for _ in range(3):
        if any(isinstance(r, Card) for r in alice.last.replies):
            break
        alice.press("アドバイザー")
    row = _card_row(alice, "業務")
    assert "工事" in row and "点検" in row
