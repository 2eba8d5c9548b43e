"""Logs at INFO and above never carry contacts or message bodies — through the commands and a dialogue."""

from __future__ import annotations

import logging
from datetime import timedelta

from typer.testing import CliRunner

from bot.cli import app
from bot.dialogue.replies import ConversationKey, IncomingMessage
from bot.secretariat import curation
from bot.secretariat import introductions as intros
from knowledge.models import utcnow

EMAIL = "keiko.secret@example.jp"
MESSAGE = "至急: 村道3号線の落橋防止装置が外れています(架空)"
COMMENT = "とても丁寧に教えていただきました(架空の感想)"


def _leaks(caplog, secrets):
    return [(r.name, r.getMessage()) for r in caplog.records
            if r.levelno >= logging.INFO and any(s in r.getMessage() for s in secrets)]


def test_commands_log_no_contact_or_message(people, cli_env, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(app, list(args), env=cli_env)
        assert result.exit_code == 0, result.output

    run("advisor", "add", "--set", "id=adv-log", "--set", "name=架空 恵子", "--set", "expertise=橋梁の点検",
        "--set", f"contact={EMAIL}", "--set", "capacity=2")
    run("advisor", "edit", "adv-log", "--set", "contact=other." + EMAIL)
    run("advisor", "show", "adv-log")
    run("advisor", "list", "--json")
    with people.session() as session:
        target = curation.find(session, "advisor", "adv-log").id
        intro = intros.request(session, requester_platform="terminal", requester_id="u9", target_kind="advisor",
                               target_id=target, message=MESSAGE)
        intro.requested_at = utcnow() - timedelta(days=5)
        intro_id = intro.id
    run("intros", "remind")
    run("intros", "accept", str(intro_id))
    with people.session() as session:
        intros.get(session, intro_id).accepted_at = utcnow() - timedelta(days=40)
    run("intros", "followup")
    run("intros", "feedback", str(intro_id), "--rating", "4", "--comment", COMMENT)
    run("audit")
    run("report", "--out", str(tmp_path / "report"))
    run("advisor", "forget", "adv-log", "--yes")
    assert caplog.records, "the flow logged nothing at all: the capture is not working"
    assert _leaks(caplog, [EMAIL, MESSAGE, COMMENT, "架空 恵子"]) == []


def test_dialogue_logs_no_contact_or_message(people, settings, caplog):
    from bot.dialogue.engine import DialogueEngine

    caplog.set_level(logging.DEBUG)
    engine = DialogueEngine(people, settings)
    key = ConversationKey("terminal", "local", "c1", "u-log")
    text = f"奈良県宇陀市の者です。{MESSAGE} 連絡先は {EMAIL} です"
    turn = engine.handle(key, IncomingMessage(text))
    assert turn.replies
    assert _leaks(caplog, [EMAIL, MESSAGE]) == []
