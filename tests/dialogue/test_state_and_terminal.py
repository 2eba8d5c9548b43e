"""State persistence (optimistic version), choice tokens, and the terminal chat."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy.orm.exc import StaleDataError
from typer.testing import CliRunner

from bot.cli import app
from bot.dialogue import choices
from bot.dialogue.cleaning import clean_message, command_of, quick_lookup
from bot.dialogue.replies import ConversationKey, IncomingMessage
from bot.dialogue.state import DialogueState, StateStore
from tests.dialogue.conversation import Conversation, texts


def test_choice_tokens_round_trip_and_reject_garbage():
    assert choices.parse(choices.answer("ab12cd34", 7, "bridge")) == choices.Answer("ab12cd34", 7, "bridge")
    assert choices.parse(choices.intro_request(12, "advisor", 5)) == choices.IntroRequest(12, "advisor", 5)
    assert choices.parse(choices.intro_reply(3, accept=False)) == choices.IntroReply(3, accept=False)
    for bad in ("", "ir|1|case|2", "q|n|x|a", "mr|1|window", "zz|1", "|" * 200):
        assert choices.parse(bad) is None
    with pytest.raises(ValueError):
        choices.answer("n", 1, "x" * 200)


def test_cleaning_commands_and_lookups():
    assert clean_message("<@U123> <#C1|general> <https://a.jp|資料> &amp; <p>橋</p>").text == "#general 資料 & 橋"
    assert command_of(" やり直し。") == "restart" and command_of("HELP") == "help" and command_of("橋") is None
    assert quick_lookup("事例　橋梁 代行").words == "橋梁 代行"
    assert quick_lookup("研修").kind == "training" and quick_lookup("近隣 除雪").kind == "engineer"
    assert quick_lookup("事例を知りたい") is None


def test_two_workers_saving_the_same_conversation_conflict(db):
    key = ConversationKey("slack", "T", "C", "U")
    with db.session() as s:
        StateStore.save(s, key, None, DialogueState(), datetime.now(timezone.utc))
    first, second = db._sessions(), db._sessions()
    try:
        row1, state1 = StateStore.load(first, key)
        row2, state2 = StateStore.load(second, key)
        state1.step = "confirm"
        StateStore.save(first, key, row1, state1, datetime.now(timezone.utc))
        first.commit()
        state2.step = "missing"
        with pytest.raises(StaleDataError):
            StateStore.save(second, key, row2, state2, datetime.now(timezone.utc))
    finally:
        second.rollback()
        first.close()
        second.close()


def test_a_turn_that_loses_the_race_is_run_again_on_the_fresh_state(engine, seeded):
    alice = Conversation(engine, "U_ALICE")
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    other_worker = type(engine)(seeded, engine.settings, embedder=engine.services.embedder(), clock=engine._clock)
    real_extract = engine.services.extract
    interfered: list[bool] = []
    calls: list[str] = []

    def extract_while_another_worker_answers(text: str):
        calls.append(text)
        if not interfered:
            interfered.append(True)
            other_worker.handle(alice.key, IncomingMessage("ヘルプ"))   # saves the same conversation meanwhile
        return real_extract(text)

    engine.services.extract = extract_while_another_worker_answers
    turn = alice.say("アドバイザーに相談したい")
    assert interfered and len(calls) == 2      # the first attempt lost the race and was run again
    assert any(getattr(r, "title", "") == "課題カード" for r in turn.replies), texts(turn)
    assert alice.step() == "confirm"


def test_chat_json_prints_one_line_per_turn_with_the_card(seeded, cli_env):
    lines = "奈良県宇陀市です。橋の点検を頼める人がいない\n1\n1\n"
    result = CliRunner().invoke(app, ["chat", "--json", "--user", "tester"], input=lines, env=cli_env)
    assert result.exit_code == 0, result.output
    turns = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert len(turns) == 3
    assert turns[0]["card"]["municipality"] == {"prefecture": "奈良県", "name": "宇陀市"}
    assert set(turns[0]["card"]) == {"text", "municipality", "sub_issues"}
    assert turns[1]["replies"][-1]["type"] == "card" and turns[1]["card"]["sub_issues"][0]["wanted"] == ["advisor"]
    assert any(r["type"] == "results" for r in turns[2]["replies"])


def test_chat_with_piped_lines_prints_a_readable_conversation(seeded, cli_env):
    script = "橋の点検を頼める人がいない\n1\n1\n"
    result = CliRunner().invoke(app, ["chat", "--municipality", "奈良県,宇陀市", "--user", "piped"],
                                input=script, env=cli_env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "you> 橋の点検を頼める人がいない" in out and "bot> " in out
    assert "[1] アドバイザー" in out and "┌ 課題カード" in out and "自治体: 奈良県宇陀市" in out
    assert "相談窓口（奈良県）" in out


def test_chat_rejects_an_unknown_municipality(seeded, cli_env):
    result = CliRunner().invoke(app, ["chat", "--municipality", "奈良県,宇陀氏"], input="", env=cli_env)
    assert result.exit_code == 1 and "宇陀市" in result.output


def test_interactive_terminal_numbers_choices_and_ends_on_eof(engine):
    import io

    from bot.chat import TerminalChat

    typed = iter(["奈良県宇陀市です。橋の点検を頼める人がいない", "1"])

    def read(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    TerminalChat(engine, "tty-user", out).run_interactive(read)
    shown = out.getvalue()
    assert "[1] アドバイザー" in shown and "┌ 課題カード" in shown and "希望する支援: アドバイザー" in shown
