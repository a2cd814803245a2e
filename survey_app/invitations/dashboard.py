"""A round's dashboard: response rates overall, by region and by field, and who is
still missing, as the admin's scope lets it see them."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Admin, Invitation, OutboxMessage, Round, Unit
from ..models.types import utcnow
from .status import RoundStatus, Totals, UnitStatus, count, round_status

# The chart's stages: each invited unit is in exactly one, the furthest it reached.
STAGES = ("submitted", "draft", "opened", "not_opened")


@dataclass(frozen=True)
class Breakdown:
    name: str
    totals: Totals


@dataclass(frozen=True)
class Dashboard:
    round: Round
    status: RoundStatus
    by_region: list[Breakdown]
    by_field: list[Breakdown]
    missing: list[UnitStatus]
    days_left: int | None
    stages: dict[str, int]  # STAGES → units, summing to the invited
    unsent: int  # units the admin sees whose invitation was never mailed
    waiting: int  # this round's messages (of those units) still in the outbox
    generated_at: datetime

    @property
    def totals(self) -> Totals:
        return self.status.totals


def round_dashboard(round_: Round, admin: Admin, now: datetime | None = None) -> Dashboard:
    status = round_status(round_, admin)
    units = status.units
    now = now or utcnow()
    days_left = None
    if round_.effective_state(now) == "open":
        days_left = max(0, (round_.deadline - now).days)
    return Dashboard(
        round=round_,
        status=status,
        by_region=_breakdown(units, lambda unit: unit.region),
        by_field=_breakdown(units, lambda unit: unit.field),
        missing=[unit for unit in units if unit.invited and unit.submitted_at is None],
        days_left=days_left,
        stages=stages(units),
        unsent=unsent_count(round_, admin),
        waiting=waiting_count(round_, admin),
        generated_at=now,
    )


def stages(units: list[UnitStatus]) -> dict[str, int]:
    """How many invited units stand at each stage (the furthest each reached)."""
    result = dict.fromkeys(STAGES, 0)
    for unit in units:
        if not unit.invited:
            continue
        if unit.submitted_at is not None:
            result["submitted"] += 1
        elif unit.draft_saved_at is not None:
            result["draft"] += 1
        elif unit.opened_at is not None:
            result["opened"] += 1
        else:
            result["not_opened"] += 1
    return result


def unsent_count(round_: Round, admin: Admin) -> int:
    """Units (not deactivated) the admin sees with no invitation mailed in the round:
    what "Send invitations" would queue (nothing, once the round is closed)."""
    if round_.effective_state() == "closed":
        return 0
    query = (
        select(func.count(Unit.id))
        .outerjoin(Invitation, (Invitation.unit_id == Unit.id) & (Invitation.round_id == round_.id))
        .where(Unit.deactivated_at.is_(None), Invitation.mailed_at.is_(None))
    )
    return db.session.scalar(admin.scope_units(query))


def waiting_count(round_: Round, admin: Admin) -> int:
    """The round's messages to the admin's units that the mail worker has not sent."""
    query = (
        select(func.count(OutboxMessage.id))
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(Invitation.round_id == round_.id, OutboxMessage.status == "queued")
    )
    return db.session.scalar(admin.scope_invitations(query))


def _breakdown(units: list[UnitStatus], key) -> list[Breakdown]:
    groups: dict[str, list[UnitStatus]] = {}
    for unit in units:
        groups.setdefault(key(unit), []).append(unit)
    return [Breakdown(name, count(members)) for name, members in sorted(groups.items())]
