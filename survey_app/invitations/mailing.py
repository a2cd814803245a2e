"""Queueing invitations and reminders (sent later by the outbox worker)."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Invitation, OutboxMessage, Round, Unit
from ..models.types import utcnow
from ..outbox.queue import queue_message, queue_messages
from ..refusals import Refused
from .services import BATCH, create_missing_invitations, invitations_of_round, reissue_token


def queue_invitations(round_: Round, unit_ids: set[int] | None = None) -> tuple[int, int]:
    """Queue one invitation email per unit of the round that was never mailed (only
    among `unit_ids` when given: a regional admin's units).

    Returns (queued, already mailed). Safe to run twice, even at once: the mark is
    set with a conditional update, so only one run queues each invitation.
    """
    if round_.effective_state() != "open":
        raise Refused(
            f"round {round_.slug!r} is {round_.effective_state()}: invitations go out "
            "once it is open (its links show a closed page before that)",
            code="round_not_open",
        )
    create_missing_invitations(round_, unit_ids)
    chosen = invitations_of_round(round_, unit_ids).order_by(None)
    total = db.session.scalar(chosen.with_only_columns(func.count(Invitation.id))) or 0
    marked = db.session.scalars(
        update(Invitation)
        .where(
            Invitation.id.in_(chosen.with_only_columns(Invitation.id).scalar_subquery()),
            Invitation.mailed_at.is_(None),
        )
        .values(mailed_at=utcnow())
        .returning(Invitation.id)
        .execution_options(synchronize_session=False)
    ).all()
    queued = 0
    for start in range(0, len(marked), BATCH):
        recipients = db.session.execute(
            select(Invitation.id, Unit.contact_email, Unit.language)
            .join(Unit, Invitation.unit_id == Unit.id)
            .where(Invitation.id.in_(marked[start : start + BATCH]))
        ).all()
        queued += queue_messages("invitation", [tuple(row) for row in recipients])
    db.session.expire_all()  # invitations already loaded show their mailed_at
    return queued, total - queued


# "Remind all" (the web's button and `invitations remind`) leaves out the units mailed
# (invited or reminded) this recently, so that doing it twice does not mail everyone
# twice; "remind selected" and `--all` do not.
REMIND_ALL_AGAIN_AFTER_DAYS = 1


@dataclass(frozen=True)
class ReminderRules:
    only_unopened: bool = False
    not_within_days: float | None = None
    max_reminders: int | None = None


def queue_reminders(
    round_: Round, rules: ReminderRules = ReminderRules(), unit_ids: set[int] | None = None
) -> int:
    """Queue a reminder for each invited unit of the round that has not submitted
    (only among `unit_ids` when given: an admin's region, or chosen units)."""
    if round_.effective_state() != "open":
        raise Refused(f"round {round_.slug!r} is not open", code="round_not_open")
    reminders_sent = (
        select(func.count(OutboxMessage.id))
        .where(OutboxMessage.invitation_id == Invitation.id, OutboxMessage.kind == "reminder")
        .scalar_subquery()
    )
    query = select(Invitation).where(
        Invitation.round_id == round_.id, Invitation.submitted_at.is_(None)
    )
    if unit_ids is not None:
        query = query.where(Invitation.unit_id.in_(unit_ids))
    if rules.only_unopened:
        query = query.where(Invitation.first_opened_at.is_(None))
    if rules.max_reminders is not None:
        query = query.where(reminders_sent < rules.max_reminders)
    if rules.not_within_days is not None:
        since = utcnow() - timedelta(days=rules.not_within_days)
        recent = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.invitation_id == Invitation.id,
                OutboxMessage.kind.in_(("invitation", "reminder")),
                OutboxMessage.created_at >= since,
            )
            .exists()
        )
        query = query.where(~recent)
    queued = 0
    for invitation in db.session.scalars(query.order_by(Invitation.id)):
        if invitation.unit.deactivated_at is not None:
            continue
        queue_message(invitation, "reminder")
        queued += 1
    db.session.flush()
    return queued


def invitation_of(round_: Round, unit_code: str) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(Invitation.round_id == round_.id, Unit.code == unit_code)
    )
    if invitation is None:
        raise Refused(
            f"unit {unit_code!r} has no invitation in round {round_.slug!r}", code="no_invitation"
        )
    return invitation


def reissue_and_mail(invitation: Invitation, *, mail: bool = True) -> str:
    """Give the unit a new link (the old one answers 404 from now on) and mail it; after
    the deadline only to a unit that was let answer late."""
    if invitation.round.effective_state() == "closed" and not invitation.accepts_answers():
        raise Refused(f"round {invitation.round.slug!r} is closed", code="round_closed")
    token = reissue_token(invitation)
    if mail:
        queue_message(invitation, "invitation")
        invitation.mailed_at = utcnow()
    db.session.flush()
    return token


def resend_invitation(invitation: Invitation) -> OutboxMessage:
    """Mail the invitation again, to the unit's current contact address (e.g. after the
    address was corrected). Only while the unit may answer (the round is open, or it was
    let answer late) and has not submitted; a message still queued to the old address is
    dropped when its turn comes."""
    if not invitation.accepts_answers():
        raise Refused(f"round {invitation.round.slug!r} is not open", code="round_not_open")
    if invitation.submitted_at is not None:
        raise Refused(
            f"unit {invitation.unit.code!r} has already submitted", code="already_submitted"
        )
    message = queue_message(invitation, "invitation")
    invitation.mailed_at = utcnow()
    db.session.flush()
    return message


def contact_email_changed(unit: Unit) -> list[Invitation]:
    """After the unit's address changed (roster page, roster upload, dashboard): mail
    each invitation it was already mailed again, to the new address, while the unit may
    still answer it and has not submitted. A message queued to the old address is
    dropped at its turn (superseded), and "send invitations" skips a mailed invitation,
    so without this the new contact would never get the link. Invitations never mailed
    are left to "send invitations". Returns the invitations queued again."""
    if unit.deactivated_at is not None:
        return []
    queued = []
    invitations = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.unit_id == unit.id,
            Invitation.submitted_at.is_(None),
            Invitation.mailed_at.is_not(None),
        )
        .order_by(Invitation.id)
    ).all()
    for invitation in invitations:
        if not invitation.accepts_answers() or _queued_to(invitation, unit.contact_email):
            continue
        resend_invitation(invitation)
        queued.append(invitation)
    return queued


def _queued_to(invitation: Invitation, address: str) -> bool:
    """An invitation with its current link already waits to go to this address (the
    address was changed and changed back before the worker came by)."""
    waiting = select(OutboxMessage.id).where(
        OutboxMessage.invitation_id == invitation.id,
        OutboxMessage.kind == "invitation",
        OutboxMessage.status == "queued",
        OutboxMessage.to_address == address,
        OutboxMessage.created_at >= invitation.token_issued_at,
    )
    return db.session.scalar(waiting.limit(1)) is not None
