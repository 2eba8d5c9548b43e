"""Telling the secretariat's Teams members about introductions (requested, accepted, declined).

The secretariat is whoever ``GUNMANE_SECRETARIAT_USERS`` lists as ``teams:<id>``;
each gets a short note in their 1:1 chat with the bot (stored reference). The
note names the record and the person asked, never a contact: the secretariat
reads contacts in `gunmane intros list` / `gunmane advisor show`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from knowledge.db import Database
from knowledge.models import Advisor, Consultation, Engineer, Introduction

from bot.teams.activities import PLATFORM

_TEXTS: dict[str, str] = {
    "intro_requested": "【事務局】紹介依頼 #{id}: {requester} から{kind}「{target}」への紹介依頼がありました。{follow}",
    "reached": "本人に Teams で依頼を届けました。",
    "not_reached": "本人に Teams で届けられなかったため、メール等での連絡をお願いします。",
    "intro_accepted": "【事務局】紹介 #{id}: {kind}「{target}」が承諾しました。連絡先を双方に共有しました。",
    "intro_declined": "【事務局】紹介 #{id}: {kind}「{target}」は今回は見送りとなりました。",
    "intro_brokered": "【事務局】紹介依頼 #{id}: {requester} から{target}の方への紹介依頼がありました。"
                      "紹介を受けてもよいとされている方がいないため、担当の方を探して "
                      "`gunmane intros reassign {id} --kind engineer --to ID` で割り当ててください。",
}
_KINDS = {"advisor": "アドバイザー", "engineer": "技術者"}


def secretariat_members(users: list[str]) -> list[str]:
    """The Teams user ids among ``GUNMANE_SECRETARIAT_USERS`` (entries written ``teams:<id>``)."""
    prefix = PLATFORM + ":"
    return [entry[len(prefix):].strip() for entry in users if entry.startswith(prefix) and entry[len(prefix):].strip()]


def note(db: Database, event: str, intro_id: int, *, reached: bool = True) -> str | None:
    """The secretariat's note for an introduction event, or None for an unknown event."""
    if event not in _TEXTS:
        return None
    with db.session() as session:
        intro = session.get(Introduction, intro_id)
        if intro is None:
            return None
        values = {
            "id": str(intro.id),
            "requester": _requester(session, intro),
            "kind": _KINDS.get(intro.target_kind, intro.target_kind),
            "target": _target_name(session, intro),
            "follow": _TEXTS["reached" if reached else "not_reached"],
        }
    return _TEXTS[event].format(**values)


def _target_name(session: Session, intro: Introduction) -> str:
    if intro.target_kind in ("case", "body"):
        from bot.dialogue.intros import target_label

        return target_label(session, intro)
    model = Advisor if intro.target_kind == "advisor" else Engineer
    target = session.get(model, intro.target_id)
    return f"{target.name}（{target.ext_id}）" if target is not None else f"#{intro.target_id}"


def _requester(session: Session, intro: Introduction) -> str:
    consultation = session.get(Consultation, intro.consultation_id) if intro.consultation_id else None
    if consultation is None or not consultation.prefecture:
        return "利用者"
    place = consultation.municipality or consultation.prefecture
    return f"{consultation.prefecture if place == consultation.prefecture else consultation.prefecture + place}の方"
