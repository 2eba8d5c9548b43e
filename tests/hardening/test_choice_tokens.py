"""Issue 16, item 10: a choice value is parsed to exactly the tokens the engine produces, or to None.

Before, ``ia|99999999999999999999`` parsed to an introduction id that overflowed
SQLite's integer, and the user got the generic failure reply; ``ia|+1``,
``ia|١``, ``ia|1_0`` and ``q|<anything>|…`` were accepted too.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue import choices
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.messages import say
from bot.dialogue.replies import MAX_CHOICE_VALUE, ConversationKey, IncomingChoice, Text
from bot.dialogue.state import new_nonce
from matching.embedders.fake import FakeEmbedder

ids = st.integers(min_value=1, max_value=choices.MAX_DB_ID)
nonces = st.text(alphabet="0123456789abcdef", min_size=8, max_size=8)
answers = st.text(st.characters(blacklist_characters="|", blacklist_categories=("Cs",)), min_size=1, max_size=60)
tokens = st.one_of(
    st.builds(choices.Answer, nonces, st.integers(min_value=0, max_value=choices.MAX_DB_ID), answers),
    st.builds(choices.IntroRequest, ids, st.sampled_from(choices.INTRO_KINDS), ids),
    st.builds(choices.MoreResults, ids, st.sampled_from(choices.RESULT_KINDS)),
    st.builds(choices.IntroReply, ids, st.booleans()),
)
# Values shaped like tokens: a known prefix and fields that are often numbers, near-numbers or kinds.
fields = st.one_of(
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.sampled_from(["", "0", "00", "+1", "-1", " 1", "1 ", "1_0", "١", "３", "1e3", "0x1", "2147483648",
                     "2147483647", "99999999999999999999", "advisor", "engineer", "case", "window", "ab12cd34",
                     "AB12CD34", "ab12cd3", "ab12cd345", "\x00", "😀"]),
    st.text(max_size=12),
)
shaped = st.builds(lambda head, rest: "|".join([head, *rest]),
                   st.sampled_from(["q", "ir", "mr", "ia", "id", "Q", "ia ", ""]), st.lists(fields, max_size=5))


def produce(token: choices.Token) -> str:
    """The value the engine would have put on the button for ``token``."""
    if isinstance(token, choices.Answer):
        return choices.answer(token.nonce, token.question_id, token.answer)
    if isinstance(token, choices.IntroRequest):
        return choices.intro_request(token.sub_issue_id, token.kind, token.db_id)
    if isinstance(token, choices.MoreResults):
        return choices.more_results(token.sub_issue_id, token.kind)
    return choices.intro_reply(token.introduction_id, accept=token.accept)


@settings(max_examples=400)
@given(tokens)
def test_every_produced_token_parses_back_to_itself(token):
    value = produce(token)
    assert len(value) <= MAX_CHOICE_VALUE
    assert choices.parse(value) == token


@settings(max_examples=600)
@given(st.one_of(shaped, st.text(max_size=200)))
def test_parse_never_raises_and_accepts_only_what_is_produced(value):
    token = choices.parse(value)
    if token is not None:
        assert produce(token) == value


@pytest.mark.parametrize("value", [
    "ia|99999999999999999999", "id|2147483648", "ir|1|advisor|99999999999999999999", "mr|99999999999999999999|case",
    "q|ab12cd34|99999999999999999999|y", "ia|0", "ia|-1", "ia|+1", "ia|١", "ia|３", "ia|1_0", "ia| 1", "ia|01",
    "q|n|1|y", "q|AB12CD34|1|y", "q|ab12cd34||y", "q|ab12cd34|1|", "ir|1|case|2", "mr|1|window",
])
def test_out_of_range_and_non_canonical_tokens_are_unknown(value):
    assert choices.parse(value) is None


def test_the_nonce_format_is_the_states():
    assert choices.parse(choices.answer(new_nonce(), 1, "ok")) is not None
    with pytest.raises(ValueError):
        choices.answer("nonce", 1, "ok")
    with pytest.raises(ValueError):
        choices.answer(new_nonce(), 1, "a|b")
    with pytest.raises(ValueError):
        choices.intro_reply(choices.MAX_DB_ID + 1, accept=True)


@pytest.mark.parametrize("value", ["ia|99999999999999999999", "id|99999999999999999999",
                                   "ir|99999999999999999999|advisor|1", "mr|1|advisor"])
def test_an_overflowing_button_is_an_unknown_choice_not_a_failure(db, settings, value):
    engine = DialogueEngine(db, settings, embedder=FakeEmbedder())
    key = ConversationKey("slack", "T1", "D1", "U_FORGER")
    turn = engine.handle(key, IncomingChoice(value))
    shown = " ".join(r.text for r in turn.replies if isinstance(r, Text))
    assert say("ja", "internal_error") not in shown
    if value.startswith(("ia|", "id|")):
        assert say("ja", "unknown_choice") in shown
