"""One claimed message: may it still go, what it says, and recording what happened.

Every step is its own short transaction, and none is open while the mail server is
talked to: on SQLite a transaction holds the write lock, on PostgreSQL it would sit
idle. Outcomes are recorded only while the row is still this worker's claim.
"""

import random
from datetime import timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import update

from ..admin import password_reset
from ..extensions import db
from ..invitations.services import LinkUnavailable
from ..models import OutboxMessage
from ..models.types import utcnow
from .render import render_message

LINK_KINDS = ("invitation", "reminder")


class Undeliverable(Exception):
    """This message must not go out (superseded, round closed, bad data)."""


def renew_claim(message_id: int, worker: str, lease: timedelta) -> bool:
    """Extend this worker's claim right before sending; False if it is no longer ours."""
    renewed = _update_own(message_id, worker, claimed_until=utcnow() + lease)
    db.session.commit()
    return renewed


def prepare(message_id: int) -> Message:
    """The email to hand over, or Undeliverable. Ends its transaction."""
    try:
        message = db.session.get(OutboxMessage, message_id)
        _check_still_wanted(message)
        try:
            rendered = render_message(message)
        except LinkUnavailable:
            raise Undeliverable("the link cannot be rebuilt: SECRET_KEY changed") from None
        except Exception as error:  # bad data in one message must not stop the others
            current_app.logger.exception("cannot render outbox message %s", message_id)
            raise Undeliverable(f"cannot render: {type(error).__name__}: {error}") from None
        email = Message(
            subject=" ".join(rendered.subject.split()),  # one line, whatever the data held
            recipients=[message.to_address],
            body=rendered.text,
            html=rendered.html,
            extra_headers={"Auto-Submitted": "auto-generated"},
        )
        email.msgId = message.message_id
        if email.has_bad_headers():
            raise Undeliverable("refused: a header would contain a line break")
        return email
    finally:
        db.session.rollback()


def _check_still_wanted(message: OutboxMessage) -> None:
    if message.kind == "password_reset":
        _check_reset_still_wanted(message)
    else:
        _check_round_message_still_wanted(message)


def _check_round_message_still_wanted(message: OutboxMessage) -> None:
    invitation = message.invitation
    unit = invitation.unit
    if unit.deactivated_at is not None:
        raise Undeliverable("not sent: the unit was deactivated")
    if message.kind not in LINK_KINDS:
        return
    if not invitation.accepts_answers():  # a unit let answer late still gets its link
        raise Undeliverable("not sent: the round no longer takes answers")
    if message.to_address != unit.contact_email:
        raise Undeliverable("superseded: the unit's contact address changed")
    if message.created_at < invitation.token_issued_at:
        raise Undeliverable("superseded: the unit's link was re-issued")


def _check_reset_still_wanted(message: OutboxMessage) -> None:
    """A reset link goes out only while it can still be used."""
    admin = message.admin
    if message.to_address != admin.email:
        raise Undeliverable("superseded: the admin's address changed")
    reset = password_reset.current_reset(admin)
    if reset is None or reset.created_at > message.created_at:
        raise Undeliverable("superseded: a newer password reset was asked for")
    if reset.used_at is not None:
        raise Undeliverable("not sent: the password reset was used")
    if not password_reset.is_open(reset):
        raise Undeliverable("not sent: the password reset link expired")


def record_sent(message_id: int, worker: str) -> bool:
    done = _update_own(
        message_id,
        worker,
        status="sent",
        sent_at=utcnow(),
        attempts=OutboxMessage.attempts + 1,
        last_error=None,
        claimed_by=None,
        claimed_until=None,
    )
    db.session.commit()
    return done


def record_failed(message_id: int, worker: str, reason: str) -> str:
    _update_own(
        message_id,
        worker,
        status="failed",
        attempts=OutboxMessage.attempts + 1,
        last_error=reason[:2000],
        claimed_by=None,
        claimed_until=None,
    )
    db.session.commit()
    return "failed"


def record_retry(message_id: int, worker: str, reason: str) -> str:
    """A transient failure: try again after a backoff, or give up at the limit."""
    message = db.session.get(OutboxMessage, message_id)
    attempts = message.attempts + 1
    db.session.rollback()
    if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        return record_failed(message_id, worker, f"gave up after {attempts} attempts: {reason}")
    _update_own(
        message_id,
        worker,
        attempts=attempts,
        last_error=reason[:2000],
        next_attempt_at=utcnow() + backoff(attempts),
        claimed_by=None,
        claimed_until=None,
    )
    db.session.commit()
    return "retried"


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter, capped."""
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    cap = current_app.config["OUTBOX_BACKOFF_MAX_SECONDS"]
    return timedelta(seconds=random.uniform(0.5, 1.0) * min(cap, base * 2 ** (attempts - 1)))  # noqa: S311


def _update_own(message_id: int, worker: str, **values) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == "queued",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
