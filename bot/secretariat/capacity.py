"""Advisor capacity: accepted, unfinished introductions count against it.

``ensure_room`` runs under the advisor's row lock (see ``locking``), so two
workers accepting at once can never push an advisor over capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.secretariat.locking import locked
from knowledge.errors import ConflictError
from knowledge.models import INTRO_ACTIVE_STATES, Advisor, Introduction


@dataclass(frozen=True)
class AdvisorLoad:
    ext_id: str
    name: str
    open: int
    capacity: int
    status: str

    @property
    def full(self) -> bool:
        return bool(self.capacity) and self.open >= self.capacity


def open_load(session: Session, advisor_id: int) -> int:
    """Accepted, unfinished introductions of an advisor."""
    return session.scalar(
        select(func.count(Introduction.id)).where(
            Introduction.target_kind == "advisor",
            Introduction.target_id == advisor_id,
            Introduction.state.in_(INTRO_ACTIVE_STATES),
        )
    ) or 0


def ensure_room(session: Session, advisor_id: int) -> Advisor:
    """Lock the advisor and check one more accepted introduction fits; ``ConflictError`` says why not."""
    advisor = locked(session, Advisor, advisor_id)
    if advisor is None or advisor.status != "active" or advisor.forgotten:
        raise ConflictError("This advisor is no longer active, so the introduction cannot be accepted.")
    if open_load(session, advisor.id) >= advisor.capacity:
        raise ConflictError(
            f"The advisor already has {advisor.capacity} open introductions (their capacity). "
            "Complete one first, or ask the secretariat to raise the capacity."
        )
    return advisor


def advisor_loads(session: Session) -> list[AdvisorLoad]:
    """Every advisor still listed (not retired, not forgotten), fullest first."""
    advisors = session.scalars(
        select(Advisor).where(Advisor.forgotten.is_(False), Advisor.status != "retired").order_by(Advisor.ext_id)
    )
    loads = [AdvisorLoad(a.ext_id, a.name, open_load(session, a.id), a.capacity, a.status) for a in advisors]
    return sorted(loads, key=lambda a: (-(a.open / a.capacity if a.capacity else float(a.open > 0)), a.ext_id))
