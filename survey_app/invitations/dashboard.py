"""A round's dashboard: response rates overall, by region and by field, and the units
still missing a page at a time, as the admin's scope lets it see them. Every number is
counted by the database, so the page costs the same few queries for 60 or 100,000
units."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Admin, Invitation, OutboxMessage, Round
from ..models.types import utcnow
from .status import Totals, UnitStatus, counts, unit_page
from .timeline import Timeline, submission_timeline

MISSING_PER_PAGE = 50


@dataclass(frozen=True)
class Breakdown:
    name: str
    totals: Totals


@dataclass(frozen=True)
class Dashboard:
    round: Round
    totals: Totals
    by_region: list[Breakdown]
    by_field: list[Breakdown]
    missing: list[UnitStatus]  # one page of the invited units that have not submitted
    missing_count: int
    page: int
    days_left: int | None
    stages: dict[str, int]  # STAGES → units, summing to the invited
    unsent: int  # units the admin sees whose invitation was never mailed
    invited_unmailed: int  # units invited (they have a link) whose invitation was never mailed
    not_invited: int  # units of the roster not yet invited (no link yet; open rounds only)
    timeline: Timeline
    waiting: int  # this round's messages (of those units) still in the outbox
    generated_at: datetime

    @property
    def pages(self) -> int:
        return max(1, -(-self.missing_count // MISSING_PER_PAGE))


def round_dashboard(
    round_: Round, admin: Admin, now: datetime | None = None, page: int = 1
) -> Dashboard:
    now = now or utcnow()
    days_left = None
    if round_.effective_state(now) == "open":
        days_left = max(0, (round_.deadline - now).days)
    numbers = counts(round_, admin)
    not_invited = numbers.totals.units - numbers.totals.invited
    return Dashboard(
        round=round_,
        totals=numbers.totals,
        by_region=_breakdown(numbers.by_region),
        by_field=_breakdown(numbers.by_field),
        missing=unit_page(round_, admin, waiting_only=True, page=page, per_page=MISSING_PER_PAGE),
        missing_count=numbers.totals.invited - numbers.totals.submitted,
        page=page,
        days_left=days_left,
        stages=numbers.stages,
        # What "Send invitations" would queue (nothing, once the round is closed).
        unsent=0 if round_.effective_state() == "closed" else numbers.unmailed,
        invited_unmailed=numbers.unmailed - not_invited,
        not_invited=not_invited,
        timeline=submission_timeline(round_, admin, now),
        waiting=waiting_count(round_, admin),
        generated_at=now,
    )


def waiting_count(round_: Round, admin: Admin) -> int:
    """The round's messages to the admin's units that the mail worker has not sent."""
    query = (
        select(func.count(OutboxMessage.id))
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(Invitation.round_id == round_.id, OutboxMessage.status == "queued")
    )
    return db.session.scalar(admin.scope_invitations(query))


def _breakdown(groups: dict[str, Totals]) -> list[Breakdown]:
    return [Breakdown(name, numbers) for name, numbers in sorted(groups.items())]
