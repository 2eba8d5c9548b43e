"""Issue 10 in the terminal (`gunmane chat`): a question, a named request and a 見立て; and the second pass's
readings of other people's writing (details the base does not hold, kana, keyword notes, English requests)."""

from __future__ import annotations

import io
import json
import re

from typer.testing import CliRunner

from bot.cli import app
from bot.dialogue.intents import classify
from tests.dialogue.conversation import all_choices, results, texts


def _turns(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _labels(turn: dict) -> list[str]:
    return [c["label"] for r in turn["replies"] if r["type"] == "question" for c in r["choices"]]


def _said(turn: dict) -> str:
    return "\n".join(r.get("text", "") for r in turn["replies"])


def test_terminal_question_gets_a_sourced_answer(seeded, cli_env):
    result = CliRunner().invoke(app, ["chat", "--json", "--user", "t-question"], input="共同発注ってなんですか\n",
                                env=cli_env)
    assert result.exit_code == 0, result.output
    (turn,) = _turns(result.output)
    assert "出典" in _said(turn) and "共同発注" in _said(turn)
    assert "アドバイザーに相談する" in _labels(turn) and "地域の相談窓口を見る" in _labels(turn)
    assert turn["card"] is None


def test_terminal_named_request_shows_the_case_and_offers_an_introduction(seeded, cli_env):
    script = "包括的民間委託の事例に載っている三条市の担当者を紹介してほしい。\n"
    result = CliRunner().invoke(app, ["chat", "--json", "--user", "t-named", "--municipality", "奈良県,曽爾村"],
                                input=script, env=cli_env)
    assert result.exit_code == 0, result.output
    (turn,) = _turns(result.output)
    cases = [i for r in turn["replies"] if r["type"] == "results" for i in r["items"] if i["kind"] == "case"]
    assert cases and any("三条市" in c["title"] or "三条市" in c["detail"] for c in cases)
    assert any(v.startswith("ic|") for v in turn["choices"].values())   # 紹介を依頼 on the case, by number


def test_terminal_counselling_ends_in_an_assessment_and_the_card(engine):
    from bot.chat import TerminalChat

    out = io.StringIO()
    answers = {"いちばん時間": "点検", "施設": "橋・トンネル", "控えて": "5年ごとの定期点検の時期",
               "困って": "人が足りない", "試した": "まだ何も", "技術職員": "1人"}
    typed = ["奈良県宇陀市の者です。正直、何が課題なのかもよく分からない。技術職は私一人で、何もかも回ってない"]

    def read(prompt: str) -> str:
        if typed:
            return typed.pop(0)
        shown = out.getvalue()
        if "この内容で探す" in shown:
            raise EOFError
        last = shown[shown.rfind("bot> "):]
        options = dict((label, number) for number, label in re.findall(r"\[(\d+)\] ([^\n\[]+)", last))
        assert options, last
        wanted = next((v for k, v in answers.items() if k in last), None)
        number = next((n for label, n in options.items() if wanted and wanted in label), None)
        return number or next(iter(options.values()))

    TerminalChat(engine, "t-assessment", out).run_interactive(read)
    shown = out.getvalue()
    assert "見立て" in shown and "┌ 課題カード" in shown
    assert "橋梁" in shown and "代行" in shown


def test_a_detail_the_base_does_not_hold_is_not_answered_by_the_general_entry(alice):
    turn = alice.say("相談窓口の電話番号を教えてください")
    said = texts(turn)
    assert "お答えできません" in said and "出典" not in said
    assert "地域の相談窓口を見る" in [c.label for c in all_choices(turn)]
    # the general question about the same topic is answered from the base
    assert "出典" in texts(alice.say("相談窓口って何ですか"))


def test_kana_municipality_and_kana_keys_are_read(alice):
    turn = alice.say("しもだしのひとにはなしをききたい")
    assert any("下田市" in i.title for r in results(turn) for i in r.items), texts(turn)
    assert "出典" in texts(alice.say("ひとのぐんまねってなに？"))


def test_readings_of_other_voices():
    def labels(text: str) -> tuple[str, ...]:
        return classify(text).labels

    assert labels("複数年契約 メリット") == ("question",)                       # a keyword note
    assert labels("下水道管の老朽化がひどくて、どこから直せばいいかわからない") == ("problem",)
    assert labels("何が問題なのか自分でも整理できていません") == ("vague",)
    assert labels("多分野連携と広域連携の違いがよくわかりません") == ("question",)
    assert labels("ぐんまねのじむきょくにそうだんしたいです") == ("vague",)
    assert classify("Can someone at Nara prefecture tell us about their delegation scheme?",
                    names_a_place=True).labels == ("named_request",)
    assert classify("アドバイザー派遣は一回あたりいくらかかりますか").hit is None
    assert classify("アドバイザー派遣とは何ですか").hit is not None


def test_a_place_describing_the_people_asked_for_is_not_the_askers(engine):
    from bot.dialogue.understand import find_own

    directory = engine.services.directory()
    assert find_own("宇陀市の技術職の方と情報交換したいです", directory).found is None
    assert find_own("奈良県庁の代行を担当してる方とお話しできますか", directory).found is None
    own = find_own("宇陀市の技術職です。橋の点検が回りません", directory)
    assert own.found is not None and own.found.name == "宇陀市" and own.explicit
    assert classify("宇陀市の技術職の方と情報交換したいです", names_a_place=True).labels == ("named_request",)
