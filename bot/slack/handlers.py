"""Bolt listeners: Slack events and interactions → dialogue engine calls → Slack messages.

Every listener acknowledges at once and does the slow work (understanding,
embedding, search) in a lazy listener after the acknowledgement, so Slack's
3-second limit holds however long the engine takes. When the engine takes
longer than ``working_notice_after`` seconds, a short "working on it" note is
posted first and then replaced by the answer. A turn's notices go to the
relay's dispatcher, which delivers what the engine composed for them.

Conversation keys: a DM is one conversation per DM channel; a mention in a
channel starts a conversation in the mention's thread (``channel:thread_ts``),
which the bot answers in. Slash commands and the consultation form continue
in the user's DM with the bot.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dialogue.cleaning import command_of, quick_lookup
from bot.dialogue.messages import say
from bot.dialogue.replies import ConversationKey, IncomingChoice, IncomingMessage, Notice, Overview, Text, Turn
from bot.relay.dispatch import Dispatcher
from bot.relay.turns import KeyedLocks, WorkingNotice
from bot.runtime.pool import busy_reply
from bot.slack import blocks
from bot.slack.home import HOME_START_ACTION, home_view
from bot.slack.middleware import dig
from bot.slack.posting import Place
from bot.slack.sender import SlackSender

log = logging.getLogger(__name__)

CONSULT_CALLBACK = "gm:consult"
CONSULT_BLOCK, CONSULT_INPUT = "problem", "text"
CHOICE_PATTERN = re.compile(r"^gm:choice:\d+$")
PAGE_PATTERN = re.compile(r"^gm:page:")
SUBCOMMAND_SPLIT = re.compile(r"[\s\u3000]+", re.UNICODE)
PASSED_THROUGH_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}


class AdminCommand(Protocol):
    """The secretariat's `/gunmane admin …` (bot/slack/admin.py): its words, and the handler that acks."""

    words: frozenset[str]

    def handle_command(self, ack: Ack, command: dict[str, Any], client: WebClient, respond: Any, args: str) -> None:
        ...


class DialogueEngineLike(Protocol):
    """The part of ``DialogueEngine`` the adapter uses."""

    def handle(self, key: ConversationKey, incoming: IncomingMessage | IncomingChoice) -> Turn: ...
    def user_overview(self, platform: str, user_id: str) -> Overview: ...
    def reset(self, key: ConversationKey) -> None: ...
    def language_of(self, text: str) -> str: ...


def logged(listener: Callable[..., None]) -> Callable[..., None]:
    """A lazy listener whose failure is logged with its name (bolt would log only the exception text)."""

    @functools.wraps(listener)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            listener(*args, **kwargs)
        except Exception:
            log.exception("Slack listener %s failed", listener.__name__)

    return run


def _ack(ack: Ack) -> None:
    ack()


def is_dm_channel(channel: str) -> bool:
    return channel.startswith("D")


def parse_command(text: str) -> tuple[str, str]:
    """(first word folded to lower case, the rest) of ``/gunmane`` text."""
    parts = SUBCOMMAND_SPLIT.split(text.strip(), maxsplit=1)
    word = parts[0].lower() if parts else ""
    return word, parts[1].strip() if len(parts) > 1 else ""


class SlackHandlers:
    def __init__(self, engine: DialogueEngineLike, sender: SlackSender, dispatcher: Dispatcher, *,
                 admin: AdminCommand, working_notice_after: float = 1.5) -> None:
        self.engine = engine
        self.sender = sender
        self.poster = sender.poster
        self.dispatcher = dispatcher
        self.admin = admin
        self.working_notice_after = working_notice_after
        self.locks = KeyedLocks()

    def register(self, app: App) -> None:
        app.event("message")(ack=_ack, lazy=[logged(self.on_message)])
        app.event("app_mention")(ack=_ack, lazy=[logged(self.on_mention)])
        app.event("app_home_opened")(ack=_ack, lazy=[logged(self.on_home_opened)])
        app.action(CHOICE_PATTERN)(ack=_ack, lazy=[logged(self.on_choice)])
        app.action(PAGE_PATTERN)(ack=_ack, lazy=[logged(self.on_page)])
        app.action(HOME_START_ACTION)(self.on_home_start)
        app.command("/gunmane")(ack=self.on_command, lazy=[logged(self.on_command_work)])
        app.view(CONSULT_CALLBACK)(ack=self.on_consult_submitted, lazy=[logged(self.on_consult_work)])

    # ------------------------------------------------------------------ the conversation

    def converse(self, key: ConversationKey, incoming: IncomingMessage | IncomingChoice, place: Place,
                 language: str = "ja") -> None:
        """One engine turn, posted to ``place``; then the deliveries of the turn's notices."""
        crowded = busy_reply(self.engine, language)   # a long backlog: say so now; the turn still comes
        if crowded is not None:
            self.poster.post(place, blocks.SlackMessage(crowded, blocks.sections(crowded)))
        with self.locks.hold(key.as_string()):
            working = blocks.split_blocks(blocks.sections(say(language, "working")), say(language, "working"))[0]
            notice = WorkingNotice(lambda: self.poster.post(place, working), self.working_notice_after).start()
            try:
                turn = self.engine.handle(key, incoming)
            except Exception:  # the engine promises not to raise; a bug there must not kill the listener
                log.exception("the dialogue engine raised on a Slack %s", type(incoming).__name__)
                turn = Turn([Text(say(language, "failed"))], language)
            finally:
                placeholder = notice.finish()
            self.poster.post_replies(place, turn.replies, turn.language, replace_ts=placeholder)
        notices = [reply for reply in turn.replies if isinstance(reply, Notice)]
        if notices:
            self.dispatcher.notify(notices)

    def _is_from_a_bot(self, message: dict[str, Any], context: Any) -> bool:
        return bool(
            message.get("bot_id")
            or message.get("subtype") == "bot_message"
            or (context.bot_user_id and message.get("user") == context.bot_user_id)
        )

    # ------------------------------------------------------------------ events

    def on_message(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        if event.get("channel_type") != "im":
            return  # channels are reached through mentions (app_mention), not every message
        if self._is_from_a_bot(event, context):
            return
        subtype = event.get("subtype")
        channel = str(event.get("channel", ""))
        if subtype == "message_changed":
            self._on_edit(event, channel, context)
            return
        if subtype not in PASSED_THROUGH_SUBTYPES or not event.get("user"):
            return  # deletions, joins, topic changes …: nothing to answer
        text = str(event.get("text") or "")
        key = ConversationKey("slack", str(body["team_id"]), channel, str(event["user"]))
        self.converse(key, IncomingMessage(text), Place(channel), self.engine.language_of(text))

    def _on_edit(self, event: dict[str, Any], channel: str, context: Any) -> None:
        """An edited message is not re-read (the conversation has moved on); say so once, briefly."""
        new, old = event.get("message") or {}, event.get("previous_message") or {}
        if self._is_from_a_bot(new, context) or not new.get("user"):
            return
        if new.get("text") == old.get("text"):
            return  # unfurls and attachment changes also arrive as message_changed
        note = say(self.engine.language_of(str(new.get("text") or "")), "edited")
        self.poster.post(Place(channel, new.get("thread_ts")), blocks.SlackMessage(note, blocks.sections(note)))

    def on_mention(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        if self._is_from_a_bot(event, context) or not event.get("user"):
            return
        channel = str(event["channel"])
        thread = str(event.get("thread_ts") or event["ts"])
        text = str(event.get("text") or "")
        if context.bot_user_id:
            text = re.sub(rf"<@{re.escape(context.bot_user_id)}(\|[^>]*)?>", " ", text).strip()
        key = ConversationKey("slack", str(body["team_id"]), f"{channel}:{thread}", str(event["user"]))
        self.converse(key, IncomingMessage(text), Place(channel, thread), self.engine.language_of(text))

    def on_home_opened(self, event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        try:
            client.views_publish(user_id=user, view=home_view(self.engine.user_overview("slack", user)))
        except SlackApiError as exc:
            log.error("views.publish failed: %s", exc.response.get("error"))

    # ------------------------------------------------------------------ buttons

    def _place_of_action(self, body: dict[str, Any]) -> tuple[str | None, Place | None]:
        """(conversation channel for the key, where to answer) of a pressed message; (None, None) off-message."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not channel:
            return None, None
        if is_dm_channel(channel):
            return channel, Place(channel)
        message = body.get("message") or {}
        thread = message.get("thread_ts") or message.get("ts") or (body.get("container") or {}).get("message_ts")
        return f"{channel}:{thread}", Place(channel, thread)

    def _mark_pressed(self, body: dict[str, Any], action: dict[str, Any], chosen: str, language: str) -> None:
        """In a DM, replace the pressed control with a note of the choice (no double presses, a clear record).

        Not in channels: there anyone can press, and a stranger's press must not take the
        buttons away from the person whose conversation it is (the engine answers them).
        """
        message, container = body.get("message"), body.get("container") or {}
        channel = (body.get("channel") or {}).get("id")
        if not message or not channel or container.get("is_ephemeral") or not message.get("blocks"):
            return
        if not is_dm_channel(channel):
            return
        updated = blocks.mark_chosen(message["blocks"], action["action_id"], chosen, language)
        self.poster.update(Place(channel), message["ts"], blocks.SlackMessage(message.get("text") or " ", updated))

    def on_choice(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        selected = action.get("selected_option") or {}
        value = action.get("value") or selected.get("value")
        if not value:
            log.warning("a gunmane button without a value was pressed; ignored")
            return
        chosen = ((action.get("text") or selected.get("text") or {}).get("text")) or ""
        user, team = str(body["user"]["id"]), str((body.get("team") or {}).get("id") or "")
        channel_key, place = self._place_of_action(body)
        if channel_key is None or place is None:
            dm = self.sender.open_conversation([user])
            if dm is None:
                return
            channel_key, place = dm, Place(dm)
        self._mark_pressed(body, action, chosen, "ja")
        self.converse(ConversationKey("slack", team, channel_key, user), IncomingChoice(str(value)), place)

    def on_page(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        _, place = self._place_of_action(body)
        if place is None:
            return
        self._mark_pressed(body, action, "", "ja")
        page = self.poster.stored_page(str(action.get("value") or ""))
        if page is None:
            log.info("a 'more' button for an unknown or purged page was pressed")
            return
        self.poster.post(place, page)

    def on_home_start(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        self.open_consult_form(client, str(body.get("trigger_id", "")), "ja")

    # ------------------------------------------------------------------ /gunmane

    def subcommand(self, text: str) -> tuple[str | None, str]:
        """What ``/gunmane`` text asks for — help, admin, consult, lookup, or None — and the rest of it."""
        word, rest = parse_command(text)
        if not word or command_of(word) == "help":
            return "help", rest
        if word in self.admin.words:
            return "admin", rest
        if command_of(word) == "consult":
            return "consult", rest
        if quick_lookup(text) is not None:
            return "lookup", text
        return None, word

    def on_command(self, ack: Ack, command: dict[str, Any], client: WebClient, respond: Any) -> None:
        """Acknowledge at once; a consultation or a lookup continues in ``on_command_work``."""
        text = str(command.get("text") or "")
        kind, rest = self.subcommand(text)
        language = self.engine.language_of(rest if kind in ("help", "admin") else text)
        if kind == "help":
            ack(response_type="ephemeral", text=say(language, "slash_help"))
        elif kind == "admin":
            self.admin.handle_command(ack, command, client, respond, rest)
        elif kind == "consult" and rest:
            ack(response_type="ephemeral", text=say(language, "consult_dm"))
        elif kind == "consult":
            ack()
            self.open_consult_form(client, str(command.get("trigger_id", "")), language)
        elif kind == "lookup":
            in_dm = is_dm_channel(str(command.get("channel_id", "")))
            ack(response_type="ephemeral", text=say(language, "searching" if in_dm else "searching_dm"))
        elif kind is None:
            unknown = say(language, "unknown_subcommand", word=blocks.escape(rest[:80]))  # never echo <!channel>
            ack(response_type="ephemeral", text=unknown + "\n" + say(language, "slash_help"))

    def on_command_work(self, command: dict[str, Any]) -> None:
        """After the ack: a lookup, or a consultation typed inline (`/gunmane 相談 橋の点検…`), in the DM."""
        kind, rest = self.subcommand(str(command.get("text") or ""))
        if kind == "consult" and rest:
            self.start_consultation(str(command["team_id"]), str(command["user_id"]), rest)
        elif kind == "lookup":
            user = str(command["user_id"])
            dm = self.sender.open_conversation([user])
            if dm is not None:
                key = ConversationKey("slack", str(command["team_id"]), dm, user)
                self.converse(key, IncomingMessage(rest), Place(dm), self.engine.language_of(rest))

    # ------------------------------------------------------------------ the consultation form

    def open_consult_form(self, client: WebClient, trigger_id: str, language: str) -> None:
        view = {
            "type": "modal", "callback_id": CONSULT_CALLBACK, "private_metadata": language,
            "title": blocks.plain(say(language, "consult_form_title"), 24),
            "submit": blocks.plain(say(language, "consult_form_submit"), 24),
            "close": blocks.plain(say(language, "form_close"), 24),
            "blocks": [{
                "type": "input", "block_id": CONSULT_BLOCK,
                "label": blocks.plain(say(language, "consult_form_label"), 2000),
                "hint": blocks.plain(say(language, "consult_form_hint"), 2000),
                "element": {"type": "plain_text_input", "action_id": CONSULT_INPUT, "multiline": True,
                            "max_length": 2000,
                            "placeholder": blocks.plain(say(language, "consult_form_placeholder"), 150)},
            }],
        }
        try:
            client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as exc:
            log.error("views.open failed: %s", exc.response.get("error"))

    @staticmethod
    def form_text(view: dict[str, Any]) -> str:
        value = dig(view, "state", "values", CONSULT_BLOCK, CONSULT_INPUT, "value")
        return value.strip() if isinstance(value, str) else ""

    def on_consult_submitted(self, ack: Ack, view: dict[str, Any]) -> None:
        if not self.form_text(view):
            language = str(view.get("private_metadata") or "ja")
            ack(response_action="errors", errors={CONSULT_BLOCK: say(language, "consult_form_empty")})
            return
        ack()

    def on_consult_work(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        text = self.form_text(view)
        if text:
            team = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")
            self.start_consultation(team, str(body["user"]["id"]), text)

    def start_consultation(self, team: str, user: str, text: str) -> None:
        """A fresh consultation in the user's DM about ``text`` (the form, `/gunmane 相談 …`)."""
        dm = self.sender.open_conversation([user])
        if dm is None:
            return
        key = ConversationKey("slack", team, dm, user)
        with self.locks.hold(key.as_string()):
            self.engine.reset(key)
        self.poster.post(Place(dm), blocks.quote(text))
        self.converse(key, IncomingMessage(text), Place(dm), self.engine.language_of(text))
