"""The App Home tab: a user's consultations and the state of their introductions."""

from __future__ import annotations

from typing import Any

from bot.dialogue.messages import label, say
from bot.dialogue.replies import ConsultationSummary, IntroductionSummary, Overview
from bot.slack.blocks import Block, clip, escape, mrkdwn, plain

HOME_START_ACTION = "gm:home:start"
MAX_HOME_BLOCKS = 100
SHOWN_PER_SECTION = 20
STATE_ICONS = {"requested": "🕒", "accepted": "✅", "declined": "—", "expired": "⌛", "completed": "🏁"}


def _consultation_line(item: ConsultationSummary, language: str) -> str:
    where = escape(item.municipality) or say(language, "home_no_place")
    return f"*{item.created_at:%Y-%m-%d}*  {where}\n{escape(clip(item.summary, 500))}"


def _introduction_line(item: IntroductionSummary, language: str) -> str:
    state = f"{STATE_ICONS.get(item.state, '')} {label('state', item.state, language)}".strip()
    role = say(language, f"role_{item.role}")
    topic = f"\n{escape(clip(item.topic, 300))}" if item.topic else ""
    kind = escape(label("kind", item.target_kind, language))
    return f"{state}  *{escape(item.counterpart)}*（{kind}・{role}）  {item.requested_at:%Y-%m-%d}{topic}"


def _listing(title: str, lines: list[str], language: str) -> list[Block]:
    blocks: list[Block] = [{"type": "header", "text": plain(title, 150)}]
    if not lines:
        return blocks + [{"type": "context", "elements": [mrkdwn(say(language, "home_none"))]}]
    blocks += [{"type": "section", "text": mrkdwn(clip(line, 3000))} for line in lines[:SHOWN_PER_SECTION]]
    if len(lines) > SHOWN_PER_SECTION:
        rest = say(language, "home_more", n=len(lines) - SHOWN_PER_SECTION)
        blocks.append({"type": "context", "elements": [mrkdwn(rest)]})
    return blocks


def home_view(overview: Overview) -> dict[str, Any]:
    language = overview.language
    blocks: list[Block] = [
        {"type": "header", "text": plain(say(language, "home_title"), 150)},
        {"type": "section", "text": mrkdwn(escape(say(language, "home_intro"))),
         "accessory": {"type": "button", "style": "primary", "text": plain(say(language, "home_start")),
                       "action_id": HOME_START_ACTION, "value": "start"}},
        {"type": "divider"},
    ]
    blocks += _listing(say(language, "home_consultations"),
                       [_consultation_line(c, language) for c in overview.consultations], language)
    blocks.append({"type": "divider"})
    blocks += _listing(say(language, "home_introductions"),
                       [_introduction_line(i, language) for i in overview.introductions], language)
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
