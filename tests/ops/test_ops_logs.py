"""Logs: JSON lines with a request id per request or turn, and no contact or message body at INFO."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.monitoring.logs import configure_logging, request_context
from knowledge.settings import Settings

EMAIL = "keiko.secret@example.jp"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, str]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "nothing was logged"
    return lines


def test_json_lines_carry_the_request_id(settings: Settings, restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "json"}), stream=stream)
    log = logging.getLogger("gunmane.test")
    with request_context("req-1"):
        log.info("first turn")
        log.warning("still %s", "the first")
    with request_context() as generated:
        log.info("second turn")
    log.info("outside")
    first, still, second, outside = _lines(stream)
    assert first["request_id"] == still["request_id"] == "req-1"
    assert second["request_id"] == generated != "req-1"
    assert outside["request_id"] == "-"
    assert still["message"] == "still the first" and still["level"] == "WARNING"
    assert {"ts", "level", "logger", "message", "request_id"} <= set(first)


def test_contacts_are_redacted_in_messages_arguments_and_tracebacks(settings: Settings,
                                                                    restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "json"}), stream=stream)
    log = logging.getLogger("gunmane.test")
    log.info("mail sent to %s", EMAIL)
    log.info("conversation slack:T01:D01:U0123ABCDE changed concurrently")
    log.info("call 090-1234-5678 or teams:aad-user-7")
    try:
        raise RuntimeError(f"relay refused {EMAIL}")
    except RuntimeError:
        log.exception("delivery failed")
    output = stream.getvalue()
    assert EMAIL not in output and "U0123ABCDE" not in output and "090-1234-5678" not in output
    assert "aad-user-7" not in output
    lines = _lines(stream)
    assert lines[0]["message"] == "mail sent to <email>"
    assert "<chat-id>" in lines[1]["message"] and "<phone>" in lines[2]["message"]
    assert "RuntimeError: relay refused <email>" in lines[3]["exc"]


def test_text_format_and_replacing_the_handler(settings: Settings, restore_logging: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(settings, stream=first)
    configure_logging(settings, stream=second)   # the second call replaces the first handler
    with request_context("abc"):
        logging.getLogger("gunmane.test").info("hello %s", EMAIL)
    assert first.getvalue() == ""
    line = second.getvalue().strip()
    assert line.endswith("INFO gunmane.test [abc]: hello <email>")


def test_a_dialogue_logged_as_json_holds_no_contact_or_message(seeded_people, settings: Settings,
                                                               restore_logging: None) -> None:
    from bot.dialogue.engine import DialogueEngine
    from bot.dialogue.replies import ConversationKey, IncomingMessage
    from matching.embedders.fake import FakeEmbedder

    message = "至急: 村道3号線の落橋防止装置が外れています(架空)"
    text = f"奈良県宇陀市です。{message} 連絡先は {EMAIL} です"
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "json", "log_level": "INFO"}), stream=stream)
    key = ConversationKey("slack", "T0SECRET1", "D0SECRET1", "U0SECRET99")
    engine = DialogueEngine(seeded_people, settings, embedder=FakeEmbedder())
    with request_context("turn-1"):
        assert engine.handle(key, IncomingMessage(text)).replies

    def failing_clock():   # a turn that fails logs the conversation key (a chat id) with its traceback
        raise RuntimeError(f"clock broke while reading {EMAIL}")

    broken = DialogueEngine(seeded_people, settings, embedder=FakeEmbedder(), clock=failing_clock)
    with request_context("turn-2"):
        assert broken.handle(key, IncomingMessage(text)).replies
    lines = _lines(stream)
    assert [line["request_id"] for line in lines if line["level"] == "ERROR"] == ["turn-2"]
    output = stream.getvalue()
    for secret in (EMAIL, message, "U0SECRET99"):
        assert secret not in output
    assert "<chat-id>" in output and "<email>" in output
