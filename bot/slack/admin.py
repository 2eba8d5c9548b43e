"""`/gunmane admin` — the secretariat's tools in Slack.

Hooks called by bot/slack/app.py and bot/slack/handlers.py:

- ``handle_admin_command(*, ack, command, client, respond, args, settings, db)``
  for ``/gunmane admin [add | edit ID | intros | summary | post]``;
- ``register_admin(app, *, settings, db, relay=None)`` registers the admin
  actions and views (ids starting ``gm:admin:``) and the follow-up answer
  button and modal (``gm_followup``) that anyone may use for their own
  introduction.

Every admin entry point — the command, each button, each modal submission —
checks that the Slack user is in ``settings.secretariat_users``; a replayed
button payload or view submission from anyone else is refused politely and
changes nothing. Nothing here logs contacts or message text.
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
from sqlalchemy import select

from bot.dialogue.replies import Notice
from bot.report import build_report, collect, summary_text
from bot.secretariat.notify import FOLLOWUP_ACTION, may_answer, parse_followup_value
from knowledge import curation
from knowledge import introductions as intros
from knowledge.db import Database
from knowledge.errors import GunmaneError, ValidationFailed
from knowledge.models import Advisor, Engineer, utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import ADVISOR_KINDS, ADVISOR_STATUSES, prefecture_names
from knowledge.settings import Settings
from knowledge.taxonomy import get_taxonomy

log = logging.getLogger(__name__)

PREFIX = "gm:admin:"
ADD_ACTION = PREFIX + "add"
EDIT_ACTION = PREFIX + "edit"            # value: advisor ext id
INTROS_ACTION = PREFIX + "intros"
SUMMARY_ACTION = PREFIX + "summary"
POST_ACTION = PREFIX + "post"
APPROVE_ACTION = PREFIX + "approve"      # value: introduction id
REASSIGN_ACTION = PREFIX + "reassign"    # value: introduction id
ADVISOR_VIEW = PREFIX + "advisor_view"
REASSIGN_VIEW = PREFIX + "reassign_view"
FOLLOWUP_VIEW = FOLLOWUP_ACTION + "_view"
SUMMARY_DAYS = 7
PENDING_SHOWN = 20

REFUSAL = ("申し訳ありません。この操作は事務局のメンバーだけが使えます。"
           "必要な場合は事務局にお問い合わせください。")
REFUSAL_EN = "Sorry — this is only available to the secretariat. Please contact the secretariat if you need it."
ADMIN_HELP = ("事務局メニュー: `/gunmane admin add` アドバイザー追加 ・ `/gunmane admin edit ID` 編集 ・ "
              "`/gunmane admin intros` 保留中の紹介 ・ `/gunmane admin summary` 週次サマリー ・ "
              "`/gunmane admin post` 地図とサマリーを事務局チャンネルに投稿")

# Advisor modal: (field, label, kind of input)
ADVISOR_INPUTS: tuple[tuple[str, str, str], ...] = (
    ("id", "ID (英数字と _ . -)", "text"),
    ("name", "氏名", "text"),
    ("affiliation", "所属", "text"),
    ("kind", "区分", "kind"),
    ("expertise", "専門・支援できること", "multiline"),
    ("fields", "インフラ分野", "fields"),
    ("processes", "業務プロセス", "processes"),
    ("prefecture", "拠点の都道府県", "prefecture"),
    ("municipality", "拠点の市区町村", "text"),
    ("regions", "対応する都道府県(空欄は全国)", "regions"),
    ("capacity", "同時に受けられる相談数", "number"),
    ("status", "状態", "status"),
    ("contact", "連絡先 (メールまたは Slack ユーザー ID)", "text"),
)
REQUIRED = {"id", "name", "expertise"}


def is_secretariat(settings: Settings, user_id: str | None) -> bool:
    return bool(user_id) and user_id in settings.secretariat_users


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit]}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000], "verbatim": True}}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _button(text: str, action_id: str, value: str = "-", style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


# ---------------------------------------------------------------- the advisor modal


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _options(kind: str) -> list[dict[str, Any]]:
    taxonomy = get_taxonomy()
    if kind == "fields":
        return [_option(label, code) for code, label in taxonomy.fields.items()]
    if kind == "processes":
        return [_option(label, code) for code, label in taxonomy.processes.items()]
    if kind in ("prefecture", "regions"):
        return [_option(name, name) for name in prefecture_names()]
    if kind == "kind":
        return [_option(k, k) for k in ADVISOR_KINDS]
    return [_option(s, s) for s in ADVISOR_STATUSES]


def _element(field: str, kind: str, current: Any) -> dict[str, Any]:
    action_id = f"v_{field}"
    if kind in ("text", "multiline"):
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": kind == "multiline"}
        if current not in (None, ""):
            element["initial_value"] = str(current)
        return element
    if kind == "number":
        element = {"type": "number_input", "action_id": action_id, "is_decimal_allowed": False, "min_value": "0"}
        if current is not None:
            element["initial_value"] = str(current)
        return element
    options = _options(kind)
    by_value = {o["value"]: o for o in options}
    if kind in ("fields", "processes", "regions"):
        element = {"type": "multi_static_select", "action_id": action_id, "options": options,
                   "placeholder": _plain("選択")}
        chosen = [by_value[v] for v in current or [] if v in by_value]
        if chosen:
            element["initial_options"] = chosen
        return element
    element = {"type": "static_select", "action_id": action_id, "options": options, "placeholder": _plain("選択")}
    if current in by_value:
        element["initial_option"] = by_value[current]
    return element


def advisor_view(current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The add (``current`` None) or edit modal; the edited id travels in private_metadata."""
    blocks = []
    for field, label, kind in ADVISOR_INPUTS:
        if field == "id" and current is not None:
            blocks.append(_section(f"*ID*: {_escape(str(current['id']))}"))
            continue
        value = (current or {}).get(field)
        if current is None and field == "capacity":
            value = 3
        blocks.append({"type": "input", "block_id": f"f_{field}", "label": _plain(label),
                       "optional": field not in REQUIRED, "element": _element(field, kind, value)})
    return {
        "type": "modal",
        "callback_id": ADVISOR_VIEW,
        "private_metadata": current["id"] if current else "",
        "title": _plain("アドバイザーの編集" if current else "アドバイザーの追加", 24),
        "submit": _plain("保存", 24),
        "close": _plain("閉じる", 24),
        "blocks": blocks,
    }


def submitted_advisor(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's values as a record dict (contract field names)."""
    values = view.get("state", {}).get("values", {})
    data: dict[str, Any] = {}
    for field, _label, kind in ADVISOR_INPUTS:
        element = values.get(f"f_{field}", {}).get(f"v_{field}")
        if element is None:
            continue
        if kind in ("fields", "processes", "regions"):
            data[field] = [o["value"] for o in element.get("selected_options") or []]
        elif kind in ("kind", "prefecture", "status"):
            option = element.get("selected_option")
            data[field] = option["value"] if option else None
        else:
            data[field] = element.get("value")
    return data


def problems_as_errors(problems: list[str]) -> dict[str, str]:
    """``field: message`` problems → Slack's ``{block_id: message}``; unknown fields go on the name."""
    known = {field for field, _l, _k in ADVISOR_INPUTS}
    errors: dict[str, str] = {}
    for problem in problems:
        field, _sep, message = problem.partition(": ")
        block = f"f_{field}" if field in known else "f_name"
        errors[block] = (errors[block] + " / " if block in errors else "") + (message or problem)
    return {block: text[:150] for block, text in errors.items()}


# ---------------------------------------------------------------- blocks of lists and menus


def menu_blocks() -> list[dict[str, Any]]:
    return [
        _section(ADMIN_HELP),
        {"type": "actions", "elements": [
            _button("アドバイザーを追加", ADD_ACTION, style="primary"),
            _button("保留中の紹介", INTROS_ACTION),
            _button("週次サマリー", SUMMARY_ACTION),
            _button("地図とサマリーを投稿", POST_ACTION),
        ]},
    ]


def pending_blocks(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        pending = intros.list_introductions(session, state="requested")
        blocks = [_section(f"*保留中の紹介: {len(pending)}件*" + (
            f" (古い順に {PENDING_SHOWN}件を表示)" if len(pending) > PENDING_SHOWN else ""))]
        for intro in pending[:PENDING_SHOWN]:
            model = Advisor if intro.target_kind == "advisor" else Engineer
            target = session.get(model, intro.target_id)
            name = f"{target.name} ({target.ext_id})" if target is not None else f"#{intro.target_id}"
            days = (utcnow() - intro.requested_at).days if intro.requested_at.tzinfo else 0
            blocks.append(_section(
                f"#{intro.id} {'アドバイザー' if intro.target_kind == 'advisor' else '技術者'} {_escape(name)}"
                f" ← {intro.requester_platform}:{_escape(intro.requester_id)} ・ {days}日経過"
                + (" ・ リマインド済み" if intro.reminder_sent_at else "")))
            blocks.append({"type": "actions", "block_id": f"intro_{intro.id}", "elements": [
                _button("承認 (承諾として記録)", APPROVE_ACTION, str(intro.id), "primary"),
                _button("別の人に再割当", REASSIGN_ACTION, str(intro.id)),
            ]})
    if len(blocks) == 1:
        blocks.append(_section("保留中の紹介はありません。"))
    return blocks


def reassign_view(db: Database, intro_id: int) -> dict[str, Any]:
    with db.session() as session:
        intro = intros.get(session, intro_id)
        advisors = session.scalars(select(Advisor).where(Advisor.status == "active", Advisor.forgotten.is_(False),
                                                         Advisor.id != intro.target_id).order_by(Advisor.ext_id))
        options = [_option(f"{a.name} ({a.ext_id})", a.ext_id) for a in advisors][:100]
    block: dict[str, Any]
    if options:
        block = {"type": "input", "block_id": "f_target", "label": _plain("新しいアドバイザー"),
                 "element": {"type": "static_select", "action_id": "v_target", "options": options,
                             "placeholder": _plain("選択")}}
    else:
        block = _section("再割当できる、受け付け中のアドバイザーがいません。")
    return {"type": "modal", "callback_id": REASSIGN_VIEW, "private_metadata": str(intro_id),
            "title": _plain(f"紹介 #{intro_id} の再割当", 24), "submit": _plain("再割当", 24),
            "close": _plain("閉じる", 24), "blocks": [block]}


def followup_view(intro_id: int, side: str) -> dict[str, Any]:
    ratings = [_option(f"{n} {'★' * n}", str(n)) for n in range(5, 0, -1)]
    return {
        "type": "modal", "callback_id": FOLLOWUP_VIEW, "private_metadata": f"{FOLLOWUP_ACTION}:{intro_id}:{side}",
        "title": _plain("紹介のフォローアップ", 24), "submit": _plain("送信", 24), "close": _plain("閉じる", 24),
        "blocks": [
            {"type": "input", "block_id": "f_rating", "label": _plain("お役に立ちましたか? (5: とても 〜 1: まったく)"),
             "element": {"type": "radio_buttons", "action_id": "v_rating", "options": ratings}},
            {"type": "input", "block_id": "f_comment", "label": _plain("ひとことコメント"), "optional": True,
             "element": {"type": "plain_text_input", "action_id": "v_comment", "multiline": True,
                         "max_length": intros.COMMENT_MAX}},
        ],
    }


# ---------------------------------------------------------------- actions shared by command and buttons


def weekly_summary(db: Database, days: int = SUMMARY_DAYS) -> str:
    with db.session() as session:
        return summary_text(collect(session, since=(utcnow() - timedelta(days=days)).date()))


def post_report(client: WebClient, db: Database, settings: Settings, *, channel: str | None = None) -> bool:
    """Upload the map with the weekly summary to the secretariat channel (files_upload_v2)."""
    channel = channel or settings.slack_secretariat_channel
    if not channel:
        return False
    since = (utcnow() - timedelta(days=SUMMARY_DAYS)).date()
    with tempfile.TemporaryDirectory() as tmp:
        result = build_report(db, Path(tmp), since=since)
        client.files_upload_v2(
            channel=channel,
            initial_comment=summary_text(result.summary),
            file_uploads=[{"file": str(result.charts["map.png"]), "filename": "map.png",
                           "title": "都道府県別の相談件数"},
                          {"file": str(result.charts["introduction_funnel.png"]),
                           "filename": "introduction_funnel.png", "title": "紹介のファネル"}],
        )
    log.info("report posted to the secretariat channel")
    return True


def _dm(client: WebClient, user: str, text: str) -> None:
    channel = client.conversations_open(users=user)["channel"]["id"]
    client.chat_postMessage(channel=channel, text=text)


def handle_admin_command(*, ack: Callable[..., Any], command: dict[str, Any], client: WebClient, respond: Any,
                         args: str, settings: Settings, db: Database) -> None:
    user = str(command.get("user_id") or "")
    if not is_secretariat(settings, user):
        log.info("admin command refused for a non-secretariat user")
        ack(text=f"{REFUSAL}\n{REFUSAL_EN}")
        return
    word, _sep, rest = (args or "").strip().partition(" ")
    word = word.lower()
    if word in ("add", "追加"):
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=advisor_view())
    elif word in ("edit", "編集"):
        try:
            with db.session() as session:
                current = curation.to_data("advisor", curation.find(session, "advisor", rest.strip()))
        except GunmaneError:
            ack(text=f"アドバイザー「{rest.strip()}」が見つかりません。`gunmane advisor list` で ID を確認できます。")
            return
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=advisor_view(current))
    elif word in ("intros", "紹介"):
        ack(blocks=pending_blocks(db), text="保留中の紹介")
    elif word in ("summary", "サマリー"):
        ack(text=weekly_summary(db))
    elif word in ("post", "投稿"):
        if not settings.slack_secretariat_channel:
            ack(text="事務局チャンネルが設定されていません (GUNMANE_SLACK_SECRETARIAT_CHANNEL)。")
            return
        ack(text="地図とサマリーを事務局チャンネルに投稿します。")
        post_report(client, db, settings)
    else:
        ack(blocks=menu_blocks(), text=ADMIN_HELP)


# ---------------------------------------------------------------- registration


class AdminHandlers:
    def __init__(self, settings: Settings, db: Database, relay: Any | None = None) -> None:
        self.settings = settings
        self.db = db
        self._relay = relay

    def relay(self, client: WebClient) -> Any:
        """The Slack adapter's introduction relay, so an approval opens the group DM as an acceptance does."""
        if self._relay is None:
            from bot.dialogue.engine import DialogueEngine
            from bot.slack.delivery import Poster
            from bot.slack.intro_relay import IntroductionRelay
            from bot.slack.page_store import PageStore

            self._relay = IntroductionRelay(DialogueEngine(self.db, self.settings), self.db, client,
                                            Poster(client, PageStore(self.db)), self.settings.slack_secretariat_channel)
        return self._relay

    def _allowed(self, body: dict[str, Any], respond: Any) -> bool:
        if is_secretariat(self.settings, (body.get("user") or {}).get("id")):
            return True
        log.info("admin action refused for a non-secretariat user")
        if respond is not None and body.get("response_url"):
            respond(text=f"{REFUSAL}\n{REFUSAL_EN}", replace_original=False, response_type="ephemeral")
        return False

    def on_action(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Any) -> None:
        ack()
        if not self._allowed(body, respond):
            return
        action_id, value = action.get("action_id", ""), str(action.get("value") or "")
        user = body["user"]["id"]
        trigger = body.get("trigger_id", "")
        if action_id == ADD_ACTION:
            client.views_open(trigger_id=trigger, view=advisor_view())
        elif action_id == EDIT_ACTION:
            with self.db.session() as session:
                current = curation.to_data("advisor", curation.find(session, "advisor", value))
            client.views_open(trigger_id=trigger, view=advisor_view(current))
        elif action_id == INTROS_ACTION:
            respond(blocks=pending_blocks(self.db), text="保留中の紹介", response_type="ephemeral",
                    replace_original=False)
        elif action_id == SUMMARY_ACTION:
            respond(text=weekly_summary(self.db), response_type="ephemeral", replace_original=False)
        elif action_id == POST_ACTION:
            posted = post_report(client, self.db, self.settings)
            respond(text="投稿しました。" if posted else "事務局チャンネルが設定されていません。",
                    response_type="ephemeral", replace_original=False)
        elif action_id == APPROVE_ACTION:
            self._approve(int(value), user, respond, client)
        elif action_id == REASSIGN_ACTION:
            client.views_open(trigger_id=trigger, view=reassign_view(self.db, int(value)))

    def _approve(self, intro_id: int, user: str, respond: Any, client: WebClient) -> None:
        try:
            with self.db.session() as session:
                intros.accept(session, intro_id, actor=f"slack:{user}")
        except GunmaneError as exc:
            respond(text=f"紹介 #{intro_id} を承認できませんでした: {exc}", response_type="ephemeral",
                    replace_original=False)
            return
        respond(text=f"紹介 #{intro_id} を承諾として記録しました。", response_type="ephemeral", replace_original=False)
        self.relay(client).on_notice(Notice("intro_accepted", intro_id))

    def on_view(self, ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = (body.get("user") or {}).get("id")
        if not is_secretariat(self.settings, user):
            log.info("admin view submission refused for a non-secretariat user")
            first = next((b.get("block_id") for b in view.get("blocks", []) if b.get("block_id")), "f_name")
            ack(response_action="errors", errors={first: REFUSAL[:150]})
            return
        if view.get("callback_id") == ADVISOR_VIEW:
            self._save_advisor(ack, view, str(user), client)
        elif view.get("callback_id") == REASSIGN_VIEW:
            self._reassign(ack, view, str(user), client)
        else:
            ack()

    def _save_advisor(self, ack: Callable[..., Any], view: dict[str, Any], user: str, client: WebClient) -> None:
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
        _dm(client, user, f"アドバイザー {record_id} を{'更新' if editing else '追加'}しました。")

    def _reassign(self, ack: Callable[..., Any], view: dict[str, Any], user: str, client: WebClient) -> None:
        intro_id = int(view.get("private_metadata") or 0)
        option = view.get("state", {}).get("values", {}).get("f_target", {}).get("v_target", {}).get(
            "selected_option")
        if not option:
            ack(response_action="errors", errors={"f_target": "アドバイザーを選んでください。"})
            return
        try:
            with self.db.session() as session:
                target = curation.find(session, "advisor", option["value"])
                new = intros.reassign(session, intro_id, target_kind="advisor", target_id=target.id,
                                      actor=f"slack:{user}")
        except GunmaneError as exc:
            ack(response_action="errors", errors={"f_target": str(exc)[:150]})
            return
        ack()
        _dm(client, user, f"紹介 #{intro_id} を {option['value']} に再割当しました (新しい紹介 #{new.id})。")
        self.relay(client).on_notice(Notice("intro_requested", new.id))

    # ---- follow-up answers (anyone, for their own introduction)

    def on_followup_button(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any],
                           client: WebClient, respond: Any) -> None:
        ack()
        parsed = parse_followup_value(str(action.get("value") or ""))
        user = (body.get("user") or {}).get("id", "")
        if parsed is None or not self._may_answer(parsed[0], parsed[1], user):
            respond(text="このフォローアップには回答できません。", response_type="ephemeral", replace_original=False)
            return
        client.views_open(trigger_id=body.get("trigger_id", ""), view=followup_view(parsed[0], parsed[1]))

    def _may_answer(self, intro_id: int, side: str, user: str) -> bool:
        with self.db.session() as session:
            try:
                intro = intros.get(session, intro_id)
            except GunmaneError:
                return False
            return may_answer(session, intro, side, "slack", user)  # type: ignore[arg-type]

    def on_followup_view(self, ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any]) -> None:
        parsed = parse_followup_value(view.get("private_metadata") or "")
        user = (body.get("user") or {}).get("id", "")
        if parsed is None or not self._may_answer(parsed[0], parsed[1], user):
            ack(response_action="errors", errors={"f_rating": "このフォローアップには回答できません。"})
            return
        values = view.get("state", {}).get("values", {})
        option = values.get("f_rating", {}).get("v_rating", {}).get("selected_option")
        comment = values.get("f_comment", {}).get("v_comment", {}).get("value")
        try:
            with self.db.session() as session:
                intros.record_feedback(session, parsed[0], side=parsed[1], actor=f"slack:{user}",
                                       rating=int(option["value"]) if option else None, comment=comment)
        except GunmaneError as exc:
            ack(response_action="errors", errors={"f_rating": str(exc)[:150]})
            return
        ack()


def register_admin(app: App, *, settings: Settings, db: Database, relay: Any | None = None) -> AdminHandlers:
    handlers = AdminHandlers(settings, db, relay)
    app.action(re.compile("^" + re.escape(PREFIX)))(handlers.on_action)
    app.view(re.compile("^" + re.escape(PREFIX)))(handlers.on_view)
    app.action(FOLLOWUP_ACTION)(handlers.on_followup_button)
    app.view(FOLLOWUP_VIEW)(handlers.on_followup_view)
    return handlers
