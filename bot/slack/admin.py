"""`/gunmane admin` — the secretariat's tools in Slack, a thin caller of the secretariat service.

``/gunmane admin [add | edit ID | intros | summary | post]``, the buttons of its
messages (ids ``gm:admin:…``) and its modals. Every entry point — the command,
each button, each modal submission — checks that the Slack user is in
``GUNMANE_SECRETARIAT_USERS``; a replayed payload from anyone else is refused
politely and changes nothing. Validation, lifecycle, audit entries and the
report all happen in bot/secretariat; what people are told after an approval
or a reassignment is delivered through the relay like any other notice.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.dialogue.deliveries import notice_of
from bot.dialogue.messages import label, say
from bot.relay.dispatch import Dispatcher
from bot.report import build_report
from bot.report.summary import summary_text
from bot.secretariat import curation, introductions, queues, summaries
from bot.slack.admin_forms import (
    ADVISOR_VIEW,
    advisor_view,
    button,
    problems_as_errors,
    reassign_view,
    section,
    submitted_advisor,
)
from bot.slack.blocks import escape
from bot.slack.middleware import dig
from knowledge.db import Database
from knowledge.errors import GunmaneError, ValidationFailed
from knowledge.models import utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.settings import Settings

log = logging.getLogger(__name__)

LANGUAGE = "ja"   # the secretariat's tools speak Japanese
WORDS = frozenset({"admin", "管理"})
PREFIX = "gm:admin:"
ADD_ACTION = PREFIX + "add"
EDIT_ACTION = PREFIX + "edit"            # value: advisor ext id
INTROS_ACTION = PREFIX + "intros"
SUMMARY_ACTION = PREFIX + "summary"
POST_ACTION = PREFIX + "post"
APPROVE_ACTION = PREFIX + "approve"      # value: introduction id
REASSIGN_ACTION = PREFIX + "reassign"    # value: introduction id
REASSIGN_VIEW = PREFIX + "reassign_view"
PENDING_SHOWN = 20
Ack = Callable[..., Any]


def refusal() -> str:
    return say("ja", "admin_refusal") + "\n" + say("en", "admin_refusal")


def menu_blocks() -> list[dict[str, Any]]:
    return [section(say(LANGUAGE, "admin_help")), {"type": "actions", "elements": [
        button(say(LANGUAGE, "admin_add_button"), ADD_ACTION, style="primary"),
        button(say(LANGUAGE, "admin_intros_button"), INTROS_ACTION),
        button(say(LANGUAGE, "admin_summary_button"), SUMMARY_ACTION),
        button(say(LANGUAGE, "admin_post_button"), POST_ACTION),
    ]}]


def pending_blocks(pending: list[queues.PendingIntroduction]) -> list[dict[str, Any]]:
    """The waiting requests with 承認 / 再割当; the requester by place, never by chat id."""
    title = say(LANGUAGE, "admin_pending_title", n=len(pending))
    if len(pending) > PENDING_SHOWN:
        title += say(LANGUAGE, "admin_pending_oldest", n=PENDING_SHOWN)
    out = [section(title)]
    for item in pending[:PENDING_SHOWN]:
        target = f"{item.target_name} ({item.target_ext_id})" if item.target_ext_id else item.target_name
        line = say(LANGUAGE, "admin_pending_item", id=item.id, kind=label("kind", item.target_kind, LANGUAGE),
                   target=escape(target), days=item.waiting_days,
                   requester=escape(item.requester_place or say(LANGUAGE, "note_requester_unknown")))
        out.append(section(line + (say(LANGUAGE, "admin_reminded") if item.reminded else "")))
        out.append({"type": "actions", "block_id": f"intro_{item.id}", "elements": [
            button(say(LANGUAGE, "admin_approve"), APPROVE_ACTION, str(item.id), "primary"),
            button(say(LANGUAGE, "admin_reassign"), REASSIGN_ACTION, str(item.id)),
        ]})
    if not pending:
        out.append(section(say(LANGUAGE, "admin_pending_none")))
    return out


def _intro_id(value: object) -> int | None:
    """An introduction id as the admin's own buttons and modals carry it, else None."""
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 9 else None


class AdminTools:
    words = WORDS

    def __init__(self, settings: Settings, db: Database, dispatcher: Dispatcher) -> None:
        self.settings = settings
        self.db = db
        self.dispatcher = dispatcher

    def register(self, app: App) -> None:
        app.action(re.compile("^" + re.escape(PREFIX)))(self.on_action)
        app.view(re.compile("^" + re.escape(PREFIX)))(self.on_view)

    def allowed(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.settings.secretariat_users

    # ---- the data, from the secretariat service

    def _pending(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            return pending_blocks(queues.pending(session))

    def _summary(self) -> str:
        with self.db.session() as session:
            return summary_text(summaries.weekly(session))

    def _advisor(self, ext_id: str) -> dict[str, Any]:
        with self.db.session() as session:
            return curation.to_data("advisor", curation.find(session, "advisor", ext_id))

    def _reassign_view(self, intro_id: int) -> dict[str, Any]:
        with self.db.session() as session:
            return reassign_view(REASSIGN_VIEW, intro_id, queues.reassign_candidates(session, intro_id))

    # ---- the command

    def handle_command(self, ack: Ack, command: dict[str, Any], client: WebClient, respond: Any, args: str) -> None:
        if not self.settings.secretariat_users:
            ack(response_type="ephemeral", text=say(LANGUAGE, "admin_not_set_up"))
            return
        if not self.allowed(str(command.get("user_id") or "")):
            log.info("admin command refused for a non-secretariat user")
            ack(text=refusal())
            return
        word, _sep, rest = (args or "").strip().partition(" ")
        word = word.lower()
        if word in ("add", "追加"):
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=advisor_view(None))
        elif word in ("edit", "編集"):
            try:
                current = self._advisor(rest.strip())
            except GunmaneError:
                ack(text=say(LANGUAGE, "admin_not_found", id=escape(rest.strip()[:80])))
                return
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=advisor_view(current))
        elif word in ("intros", "紹介"):
            ack(blocks=self._pending(), text=say(LANGUAGE, "admin_intros_button"))
        elif word in ("summary", "サマリー"):
            ack(text=self._summary())
        elif word in ("post", "投稿"):
            if not self.settings.slack_secretariat_channel:
                ack(text=say(LANGUAGE, "admin_no_channel"))
                return
            ack(text=say(LANGUAGE, "admin_posting"))
            self.post_report(client)
        else:
            ack(blocks=menu_blocks(), text=say(LANGUAGE, "admin_help"))

    # ---- buttons

    def on_action(self, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Any) -> None:
        ack()
        user = (body.get("user") or {}).get("id")
        if not self.allowed(user):
            log.info("admin action refused for a non-secretariat user")
            if body.get("response_url"):
                respond(text=refusal(), replace_original=False, response_type="ephemeral")
            return
        action_id, value = action.get("action_id", ""), str(action.get("value") or "")
        trigger = body.get("trigger_id", "")

        def tell(text: str) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        if action_id == ADD_ACTION:
            client.views_open(trigger_id=trigger, view=advisor_view(None))
        elif action_id == EDIT_ACTION:
            client.views_open(trigger_id=trigger, view=advisor_view(self._advisor(value)))
        elif action_id == INTROS_ACTION:
            respond(blocks=self._pending(), text=say(LANGUAGE, "admin_intros_button"), response_type="ephemeral",
                    replace_original=False)
        elif action_id == SUMMARY_ACTION:
            tell(self._summary())
        elif action_id == POST_ACTION:
            tell(say(LANGUAGE, "admin_posted" if self.post_report(client) else "admin_no_channel"))
        elif action_id == APPROVE_ACTION and (intro_id := _intro_id(value)) is not None:
            tell(self.approve(intro_id, f"slack:{user}"))
        elif action_id == REASSIGN_ACTION and (intro_id := _intro_id(value)) is not None:
            client.views_open(trigger_id=trigger, view=self._reassign_view(intro_id))

    def approve(self, intro_id: int, actor: str) -> str:
        """Record an acceptance on the person's behalf; both sides then get the card with the contacts."""
        try:
            with self.db.session() as session:
                notice = notice_of(introductions.accept(session, intro_id, actor=actor))
        except GunmaneError as exc:
            return say(LANGUAGE, "admin_approve_failed", id=intro_id, reason=exc)
        self.dispatcher.notify([notice] if notice is not None else [])
        return say(LANGUAGE, "admin_approved", id=intro_id)

    # ---- modals

    def on_view(self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        if not self.allowed(user):
            log.info("admin view submission refused for a non-secretariat user")
            first = next((b["block_id"] for b in view.get("blocks") or [] if isinstance(dig(b, "block_id"), str)),
                         "f_name")
            ack(response_action="errors", errors={first: say(LANGUAGE, "admin_refusal")[:150]})
            return
        if view.get("callback_id") == ADVISOR_VIEW:
            self._save_advisor(ack, view, user, client)
        elif view.get("callback_id") == REASSIGN_VIEW:
            self._reassign(ack, view, user, client)
        else:
            ack()

    def _save_advisor(self, ack: Ack, view: dict[str, Any], user: str, client: WebClient) -> None:
        data = submitted_advisor(view)
        editing = view.get("private_metadata") or ""
        try:
            with self.db.session() as session:
                directory = MunicipalityDirectory(session)
                if editing:
                    data.pop("id", None)
                    changes = {k: ("" if v is None else v) for k, v in data.items()}
                    curation.edit(session, "advisor", editing, changes, actor=f"slack:{user}", directory=directory)
                    record_id = editing
                else:
                    record_id = curation.add(session, "advisor", data, actor=f"slack:{user}",
                                             directory=directory).ext_id
        except ValidationFailed as exc:
            ack(response_action="errors", errors=problems_as_errors(exc.problems))
            return
        except GunmaneError as exc:
            ack(response_action="errors", errors={"f_name" if editing else "f_id": str(exc)[:150]})
            return
        ack()
        self._dm(client, user, say(LANGUAGE, "admin_saved_edited" if editing else "admin_saved_added", id=record_id))

    def _reassign(self, ack: Ack, view: dict[str, Any], user: str, client: WebClient) -> None:
        intro_id = _intro_id(view.get("private_metadata"))
        option = dig(view, "state", "values", "f_target", "v_target", "selected_option")
        if not isinstance(dig(option, "value"), str) or intro_id is None:
            ack(response_action="errors", errors={"f_target": say(LANGUAGE, "admin_reassign_pick")})
            return
        try:
            with self.db.session() as session:
                target = curation.find(session, "advisor", option["value"])
                new = introductions.reassign(session, intro_id, target_kind="advisor", target_id=target.id,
                                             actor=f"slack:{user}")
                notice, new_id = notice_of(new), new.id
        except GunmaneError as exc:
            ack(response_action="errors", errors={"f_target": str(exc)[:150]})
            return
        ack()
        done = say(LANGUAGE, "admin_reassigned", id=intro_id, target=escape(option["value"]), new=new_id)
        self._dm(client, user, done)
        self.dispatcher.notify([notice] if notice is not None else [])

    # ---- Slack specifics

    def _dm(self, client: WebClient, user: str, text: str) -> None:
        channel = client.conversations_open(users=user)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=text)

    def post_report(self, client: WebClient) -> bool:
        """Upload the map and the funnel with the weekly summary to the secretariat channel."""
        channel = self.settings.slack_secretariat_channel
        if not channel:
            return False
        since = (utcnow() - timedelta(days=summaries.WEEK_DAYS)).date()
        with tempfile.TemporaryDirectory() as tmp:
            result = build_report(self.db, Path(tmp), since=since)
            client.files_upload_v2(
                channel=channel, initial_comment=summary_text(result.summary),
                file_uploads=[
                    {"file": str(result.charts["map.png"]), "filename": "map.png",
                     "title": say(LANGUAGE, "admin_map_title")},
                    {"file": str(result.charts["introduction_funnel.png"]), "filename": "introduction_funnel.png",
                     "title": say(LANGUAGE, "admin_funnel_title")},
                ],
            )
        log.info("report posted to the secretariat channel")
        return True
