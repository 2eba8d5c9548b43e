"""The App Home tab: a user's consultations and the state of their introductions."""

from __future__ import annotations

from typing import Any

from bot.dialogue.replies import ConsultationSummary, IntroductionSummary, Overview
from bot.slack.blocks import Block, clip, escape, mrkdwn, plain
from bot.slack.messages import kind_name, say

HOME_START_ACTION = "gm:home:start"
MAX_HOME_BLOCKS = 100
SHOWN_PER_SECTION = 20

_STATES = {
    "ja": {"requested": "🕒 返事待ち", "accepted": "✅ 承諾", "declined": "— 辞退", "expired": "⌛ 期限切れ",
           "completed": "🏁 完了"},
    "en": {"requested": "🕒 waiting", "accepted": "✅ accepted", "declined": "— declined", "expired": "⌛ expired",
           "completed": "🏁 completed"},
}
_ROLES = {"ja": {"requester": "依頼", "target": "依頼を受けた"}, "en": {"requester": "you asked", "target": "asked of you"}}


def _consultation_line(item: ConsultationSummary, language: str) -> str:
    where = escape(item.municipality) or ("（自治体未設定）" if language == "ja" else "(no municipality)")
    return f"*{item.created_at:%Y-%m-%d}*  {where}\n{escape(clip(item.summary, 500))}"


def _introduction_line(item: IntroductionSummary, language: str) -> str:
    state = _STATES.get(language, _STATES["ja"]).get(item.state, item.state)
    role = _ROLES.get(language, _ROLES["ja"]).get(item.role, item.role)
    topic = f"\n{escape(clip(item.topic, 300))}" if item.topic else ""
    return (f"{state}  *{escape(item.counterpart)}*（{escape(kind_name(item.target_kind, language))}・{role}）"
            f"  {item.requested_at:%Y-%m-%d}{topic}")


def _listing(title: str, lines: list[str], language: str) -> list[Block]:
    blocks: list[Block] = [{"type": "header", "text": plain(title, 150)}]
    if not lines:
        return blocks + [{"type": "context", "elements": [mrkdwn(say("home_none", language))]}]
    blocks += [{"type": "section", "text": mrkdwn(clip(line, 3000))} for line in lines[:SHOWN_PER_SECTION]]
    if len(lines) > SHOWN_PER_SECTION:
        rest = say("home_more", language, n=len(lines) - SHOWN_PER_SECTION)
        blocks.append({"type": "context", "elements": [mrkdwn(rest)]})
    return blocks


def home_view(overview: Overview) -> dict[str, Any]:
    language = overview.language
    blocks: list[Block] = [
        {"type": "header", "text": plain(say("home_title", language), 150)},
        {"type": "section", "text": mrkdwn(escape(say("home_intro", language))),
         "accessory": {"type": "button", "style": "primary", "text": plain(say("home_start", language)),
                       "action_id": HOME_START_ACTION, "value": "start"}},
        {"type": "divider"},
    ]
    blocks += _listing(say("home_consultations", language),
                       [_consultation_line(c, language) for c in overview.consultations], language)
    blocks.append({"type": "divider"})
    blocks += _listing(say("home_introductions", language),
                       [_introduction_line(i, language) for i in overview.introductions], language)
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
