"""Putting messages in the outbox, in the caller's transaction."""

import uuid
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import insert, update

from ..database import after_bulk_write
from ..extensions import db
from ..models import Admin, Invitation, OutboxMessage
from ..models.types import utcnow


def new_message_id() -> str:
    """A globally unique Message-ID, fixed at queue time."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"] or "")[1].rpartition("@")[2]
    domain = domain or urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue_message(
    invitation: Invitation,
    kind: str,
    submitted_version_id: int | None = None,
    language: str | None = None,
) -> OutboxMessage:
    """Queue a message to the unit's contact, in `language` or else the unit's."""
    unit = invitation.unit
    message = OutboxMessage(
        kind=kind,
        invitation=invitation,
        submitted_version_id=submitted_version_id,
        to_address=unit.contact_email,
        language=language or unit.language,
        message_id=new_message_id(),
    )
    db.session.add(message)
    return message


_INSERT_MESSAGE = insert(OutboxMessage.__table__)


def queue_receipt(invitation: Invitation, submitted_version_id: int, language: str) -> None:
    """Queue the receipt of a submission: the row `queue_message` writes, without the
    ORM's object (a submit's every statement counts: issue 13)."""
    row = _queued_row("receipt", invitation.id, invitation.unit.contact_email, language)
    db.session.execute(_INSERT_MESSAGE, {**row, "submitted_version_id": submitted_version_id})


def queue_messages(kind: str, recipients: list[tuple[int, str, str]]) -> int:
    """Queue one message of `kind` per (invitation id, address, language), in bulk: the
    same rows as `queue_message` writes, for thousands at once."""
    now = utcnow()
    rows = [_queued_row(kind, *recipient, now=now) for recipient in recipients]
    if rows:
        db.session.execute(_INSERT_MESSAGE, rows)
    after_bulk_write("outbox_messages", len(rows))
    return len(rows)


def _queued_row(kind: str, invitation_id: int, address: str, language: str, now=None) -> dict:
    """An outbox row as the ORM would write it, for statements built once."""
    now = now or utcnow()
    return {
        "kind": kind,
        "invitation_id": invitation_id,
        "to_address": address,
        "language": language,
        "message_id": new_message_id(),
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def queue_admin_message(admin: Admin, kind: str, language: str) -> OutboxMessage:
    """Queue a message to an admin (a password reset link), in `language`."""
    message = OutboxMessage(
        kind=kind,
        admin=admin,
        to_address=admin.email,
        language=language,
        message_id=new_message_id(),
    )
    db.session.add(message)
    return message


def requeue_failed(
    kinds: tuple[str, ...] | None = None, message_ids: list[int] | set[int] | None = None
) -> int:
    """Give failed messages a fresh start (after an outage, or a fixed address): all of
    them, those of `kinds`, or those among `message_ids` (an admin's retry button).

    Messages that must not go out any more (superseded, round closed) fail again at
    their turn, with the same reason."""
    query = update(OutboxMessage).where(OutboxMessage.status == "failed")
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(list(message_ids)))
    result = db.session.execute(
        query.values(
            status="queued",
            attempts=0,
            next_attempt_at=utcnow(),
            claimed_by=None,
            claimed_until=None,
        ).execution_options(synchronize_session=False)
    )
    return result.rowcount
