"""Automatic reminders on the days before a round's deadline that the round names.

The outbox worker calls `queue_due_reminders()` each time it looks for due mail. For
every open round whose reminder moment (deadline minus N days, on the Helsinki clock)
has passed, reminders are queued with `queue_reminders` (every invited unit that has
not submitted), once per (round, N):

- the done offset is a row in `round_reminders`, unique on (round_id, days_before),
  inserted in the same transaction as the queued reminders. When two workers reach the
  same moment at once, the second one's insert waits for the first and then fails with
  an IntegrityError: it rolls back, reminders included, so nothing is queued twice.
- a moment that passed more than `LATE_LIMIT` ago, or before the round was opened (while
  it was a draft, say), is not caught up later in a burst: it is recorded as skipped.

Only rounds before their deadline are looked at: a unit let answer late
(`Invitation.late_until`) is never reminded automatically because of it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Round, RoundReminder
from ..models.types import utcnow
from ..refusals import Refused
from ..timeutil import HELSINKI
from .mailing import queue_reminders

LATE_LIMIT = timedelta(days=1)


@dataclass(frozen=True)
class ReminderDone:
    slug: str
    days_before: int
    outcome: str  # "queued" or "skipped"
    queued: int


@dataclass(frozen=True)
class _Due:
    round_id: int
    slug: str
    days_before: int
    due_at: datetime
    late: bool


def queue_due_reminders() -> list[ReminderDone]:
    """Queue (or skip, when too late) every automatic reminder whose moment has come."""
    done = []
    for due in _find_due(utcnow()):
        result = _do(due)
        if result is not None:
            done.append(result)
            current_app.logger.info(
                "Automatic reminder of round %s, %d days before the deadline: %s (%d queued)",
                result.slug,
                result.days_before,
                result.outcome,
                result.queued,
            )
    return done


def _find_due(now: datetime) -> list[_Due]:
    """Reminder moments that have passed and are not done yet (read, then committed, so
    no transaction or lock is held between the look and the work)."""
    rounds = db.session.execute(
        select(Round.id, Round.slug, Round.deadline, Round.opened_at, Round.reminder_days).where(
            Round.state == "open", Round.deadline > now, Round.reminder_days.is_not(None)
        )
    ).all()
    done = set()
    if rounds:
        done = set(
            db.session.execute(
                select(RoundReminder.round_id, RoundReminder.days_before).where(
                    RoundReminder.round_id.in_([row.id for row in rounds])
                )
            ).all()
        )
    db.session.commit()
    due = []
    for row in rounds:
        for days in row.reminder_days or []:
            moment = reminder_moment(row.deadline, days)
            if moment > now or (row.id, days) in done:
                continue
            late = _too_late(moment, row.opened_at, now)
            due.append(_Due(row.id, row.slug, days, moment, late))
    return due


def reminder_moment(deadline: datetime, days_before: int) -> datetime:
    """N days before the deadline on the Helsinki clock: across a change to or from
    summer time, "7 days before 16:00" is still 16:00, not 15:00 or 17:00."""
    local = deadline.astimezone(HELSINKI)
    return (local - timedelta(days=days_before)).astimezone(UTC)


def _too_late(moment: datetime, opened_at: datetime | None, now: datetime) -> bool:
    """A moment that passed over LATE_LIMIT ago or before the round opened is skipped."""
    return now - moment > LATE_LIMIT or (opened_at is not None and opened_at > moment)


def _do(due: _Due) -> ReminderDone | None:
    """Record the reminder and queue it (unless late), all in one transaction; None
    when another worker did it first or the round changed meanwhile."""
    outcome = "skipped" if due.late else "queued"
    marker = RoundReminder(
        round_id=due.round_id,
        days_before=due.days_before,
        due_at=due.due_at,
        outcome=outcome,
        queued=0,
    )
    queued = 0
    try:
        db.session.add(marker)
        # On PostgreSQL this waits while another worker holds the same (round, days)
        # uncommitted, and fails once that worker commits.
        db.session.flush()
        round_ = db.session.get(Round, due.round_id)
        if round_ is None or due.days_before not in (round_.reminder_days or []):
            db.session.rollback()  # the admin changed the days meanwhile
            return None
        if not due.late:
            queued = marker.queued = queue_reminders(round_)
        db.session.commit()
    except (IntegrityError, Refused):
        # IntegrityError: another worker did this one. Refused: the round is no
        # longer open. Either way nothing of ours stays.
        db.session.rollback()
        return None
    return ReminderDone(due.slug, due.days_before, outcome, queued)


@dataclass(frozen=True)
class PlannedReminder:
    days_before: int
    moment: datetime
    # "done", "skipped", "closed" (not sent), "planned", "will skip" (too late), "due"
    status: str
    queued: int = 0


def reminder_plan(round_: Round, now: datetime | None = None) -> list[PlannedReminder]:
    """Each of the round's automatic reminders with what happened to it or will."""
    done = {
        reminder.days_before: reminder
        for reminder in db.session.scalars(select(RoundReminder).filter_by(round_id=round_.id))
    }
    now = now or utcnow()
    plan = []
    for days in round_.reminder_days or []:
        moment = reminder_moment(round_.deadline, days)
        opened_at = now if round_.state == "draft" else round_.opened_at
        if days in done:
            record = done[days]
            status = "skipped" if record.outcome == "skipped" else "done"
            plan.append(PlannedReminder(days, moment, status, record.queued))
            continue
        if round_.effective_state(now) == "closed":
            status = "closed"
        elif moment > now:
            status = "planned"
        elif _too_late(moment, opened_at, now):
            status = "will skip"
        else:
            status = "due"
        plan.append(PlannedReminder(days, moment, status))
    return plan


_STATUS_TEXT = {
    "skipped": "skipped (too late)",
    "closed": "not sent (the round is closed)",
    "planned": "planned",
    "will skip": "passed, will be skipped (too late)",
    "due": "due: the next `flask outbox work` queues it",
}


def reminder_schedule(round_: Round) -> list[tuple[int, datetime, str]]:
    """(days before, moment, what happened or will) for each of the round's reminders."""
    return [
        (
            planned.days_before,
            planned.moment,
            f"done, {planned.queued} reminders queued"
            if planned.status == "done"
            else _STATUS_TEXT[planned.status],
        )
        for planned in reminder_plan(round_)
    ]
