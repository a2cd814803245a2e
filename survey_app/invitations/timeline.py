"""Submissions over time, for the dashboard's chart: how many of the admin's units
submitted on each day (Finnish time), with the deadline and the reminder days.

The database counts per hour (a few hundred rows however many units submitted), and
the hours are summed here into Finnish days, which start at 22 or 21 UTC."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, func, literal, select, union_all

from ..extensions import db
from ..models import Admin, Invitation, OutboxMessage, Round, Unit
from ..models.types import utcnow
from ..timeutil import to_local
from .auto_reminders import reminder_plan

MAX_DAYS = 120  # a longer round shows its last 120 days


@dataclass(frozen=True)
class Day:
    date: date
    submitted: int  # that day
    total: int  # by the end of that day


@dataclass(frozen=True)
class Timeline:
    days: list[Day]  # each day from the round's opening to its deadline (or later)
    deadline: date
    reminder_days: list[date]  # reminders were queued, or an automatic one is planned
    today: date

    @property
    def total(self) -> int:
        return self.days[-1].total if self.days else 0

    @property
    def busiest(self) -> Day | None:
        busiest = max(self.days, key=lambda day: day.submitted, default=None)
        return busiest if busiest is not None and busiest.submitted else None


def submission_timeline(round_: Round, admin: Admin, now: datetime | None = None) -> Timeline:
    now = now or utcnow()
    today = to_local(now).date()
    # The invitations the dashboard counts, so that the chart ends at its "submitted";
    # their submissions and reminders counted per hour in one statement.
    submitted = counted_invitations(
        round_,
        admin,
        _hours("submitted", Invitation.submitted_at).where(Invitation.submitted_at.is_not(None)),
    )
    reminded = counted_invitations(
        round_,
        admin,
        _hours("reminded", OutboxMessage.created_at)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(OutboxMessage.kind == "reminder"),
    )
    per_day, reminded_days = _per_local_day(union_all(submitted, reminded))
    planned = set()
    if round_.reminder_days:
        planned = {
            to_local(reminder.moment).date()
            for reminder in reminder_plan(round_, now)
            if reminder.status in ("planned", "due")
        }
    deadline = to_local(round_.deadline).date()
    start = to_local(round_.opened_at or round_.created_at).date()
    start = min([start, deadline, *per_day])
    end = max([deadline, *per_day])
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    days, total = [], sum(n for day, n in per_day.items() if day < start)
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        total += per_day.get(day, 0)
        days.append(Day(day, per_day.get(day, 0), total))
    reminder_days = sorted(day for day in reminded_days | planned if start <= day <= end)
    return Timeline(days, deadline, reminder_days, today)


def _hours(what: str, column):
    """A query of (`what`, UTC hour, count) over `column`; the caller adds joins and
    filters."""
    if db.session.get_bind().dialect.name == "postgresql":
        hour = func.to_char(column, "YYYY-MM-DD HH24")
    else:
        hour = func.strftime("%Y-%m-%d %H", column)
    return select(literal(what).label("what"), hour.label("hour"), func.count()).group_by(hour)


def _per_local_day(query) -> tuple[dict[date, int], set[date]]:
    """Submissions per Finnish day, and the Finnish days with reminders."""
    submitted: dict[date, int] = {}
    reminded: set[date] = set()
    for what, hour, count in db.session.execute(query):
        moment = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
        day = to_local(moment).date()
        if what == "submitted":
            submitted[day] = submitted.get(day, 0) + count
        else:
            reminded.add(day)
    return submitted, reminded


def counted_invitations(round_: Round, admin: Admin, query: Select) -> Select:
    """`query` (over `Invitation`) kept to the invitations `status.unit_rows` counts:
    of units not deactivated (in the roster while the round is open, for the round once
    it is closed) that the admin sees. For counting what the invitations did (the
    chart's submissions and reminders) without a row per unit of the roster."""
    query = query.where(Invitation.round_id == round_.id)
    if round_.effective_state() == "closed":
        return admin.scope_invitations(query.where(Invitation.unit_deactivated_at.is_(None)))
    # Deactivated units are few: leaving them out is cheaper than joining every unit.
    deactivated = select(Unit.id).where(Unit.deactivated_at.is_not(None))
    query = query.where(Invitation.unit_id.not_in(deactivated))
    if admin.seen_region is None:
        return query
    return query.where(Invitation.unit_id.in_(admin.scope_units(select(Unit.id))))
