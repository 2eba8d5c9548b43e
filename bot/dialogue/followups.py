"""Answers to the follow-up inside a turn: the rating as a choice, then an optional typed comment.

The follow-up delivery (bot/dialogue/intro_deliveries.py) offers ratings 5…1
as choice tokens. Pressing one records the rating and asks for a comment:
the next message the same person types within ``COMMENT_WINDOW`` is stored
as their comment (or they press 「コメントはありません」). Slack, Teams, the
terminal and any later platform handle it alike, because only the engine
knows about it. Only the person the follow-up was sent to may answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.dialogue import choices, flow
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import ChatUser, Choice, Question
from bot.secretariat import feedback
from knowledge.errors import ConflictError
from knowledge.models import Introduction

AWAITING = "feedback_comment"
COMMENT_WINDOW = timedelta(minutes=30)


def _asker(ctx: TurnContext) -> ChatUser:
    return ChatUser(ctx.key.platform, ctx.key.user)


def _answerable(ctx: TurnContext, intro_id: int, side: feedback.Side) -> Introduction | None:
    intro = ctx.session.get(Introduction, intro_id)
    if intro is None or not feedback.may_answer(ctx.session, intro, side, _asker(ctx)):
        ctx.say("followup_not_yours")
        return None
    return intro


def answer(ctx: TurnContext, token: choices.FollowupAnswer) -> None:
    side = feedback.side_of(token.side)
    intro = _answerable(ctx, token.introduction_id, side)
    if intro is None:
        return
    if token.rating is None:   # 「コメントはありません」
        ctx.state.awaiting = {}
        ctx.say("followup_thanks")
        return
    try:
        feedback.record_feedback(ctx.session, intro.id, side=side, rating=token.rating, comment=None,
                                 actor=_asker(ctx).as_contact())
    except ConflictError:
        ctx.say("followup_closed")
        return
    ctx.state.awaiting = {"kind": AWAITING, "introduction_id": intro.id, "side": side, "at": ctx.now.isoformat()}
    skip = Choice(ctx.text("followup_no_comment"), choices.followup_answer(intro.id, side, None))
    ctx.replies.append(Question(ctx.text("followup_thanks_rating", rating=token.rating), (skip,)))


def awaiting_comment(ctx: TurnContext) -> bool:
    """Whether this message answers a follow-up's comment question (asked in the last ``COMMENT_WINDOW``)."""
    awaiting = ctx.state.awaiting
    if not awaiting or awaiting.get("kind") != AWAITING:
        return False
    asked = datetime.fromisoformat(str(awaiting["at"]))
    if ctx.now - asked > COMMENT_WINDOW:
        ctx.state.awaiting = {}
        return False
    return True


def take_comment(ctx: TurnContext, text: str) -> None:
    awaiting, ctx.state.awaiting = ctx.state.awaiting, {}
    side = feedback.side_of(str(awaiting["side"]))
    intro = _answerable(ctx, int(awaiting["introduction_id"]), side)
    if intro is None:
        return
    rating = next((f.rating for f in feedback.feedback_of(intro) if f.side == side), None)
    try:
        feedback.record_feedback(ctx.session, intro.id, side=side, rating=rating, comment=text,
                                 actor=_asker(ctx).as_contact())
    except ConflictError:
        ctx.say("followup_closed")
        return
    ctx.say("followup_thanks")
    if ctx.state.step not in ("idle", "results"):
        ctx.say("lookup_continue")
        flow.prompt(ctx)


def drop_pending(ctx: TurnContext) -> None:
    """Another button was pressed: the person moved on, so the next message is not a comment."""
    if ctx.state.awaiting.get("kind") == AWAITING:
        ctx.state.awaiting = {}
