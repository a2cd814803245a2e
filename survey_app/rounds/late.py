"""Letting one unit answer after the deadline: until a time an admin sets, in an
open round only (once a round is closed explicitly, nobody answers), and never past
the day its link stops working."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Invitation, Round, Unit
from ..models.types import utcnow
from ..refusals import Refused
from .services import check_ahead, latest_moment, lock


def check_late_possible(round_: Round) -> None:
    """A unit answers late only in an open round: once closed explicitly, nobody does."""
    if round_.state != "open":
        raise Refused(f"round {round_.slug!r} is {round_.state}, not open", code="late_not_open")


def late_limit(round_: Round) -> datetime:
    """The latest a unit may be let answer: its link expires TOKEN_DAYS_AFTER_CLOSE
    days after the deadline. (Counted from latest_moment() at most: a deadline stored
    further ahead by other means must not take the sum out of the calendar.)"""
    days = timedelta(days=current_app.config["TOKEN_DAYS_AFTER_CLOSE"])
    return min(round_.deadline, latest_moment()) + days


def allow_late(invitation: Invitation, until: datetime | None) -> datetime | None:
    """Let one unit answer after the deadline until `until` (None: not any more);
    returns the previous permission. Only in an open round: once it is closed
    explicitly, nobody answers."""
    round_ = lock(invitation.round)
    db.session.refresh(invitation, ["late_until"])  # as the last change under the lock left it
    if until is not None:
        check_late_possible(round_)
        if until <= utcnow():
            raise Refused("late answers: the time must be in the future", code="in_past")
        if until <= round_.deadline:
            raise Refused(
                "late answers: the time must be after the deadline", code="late_before_deadline"
            )
        if until > late_limit(round_):
            raise Refused(
                "late answers: too far after the deadline (the link expires)",
                code="late_too_far",
            )
        check_ahead(until, "late answers")
    old = invitation.late_until
    invitation.late_until = until
    return old


def late_invitations(round_: Round, scope=None) -> list[Invitation]:
    """The invitations of the round that may answer late (or could have), by unit code;
    `scope` restricts the query to an admin's units."""
    query = (
        select(Invitation)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(Invitation.round_id == round_.id, Invitation.late_until.is_not(None))
        .order_by(Unit.code)
    )
    if scope is not None:
        query = scope(query)
    return list(db.session.scalars(query))
