"""Putting messages in the outbox, in the caller's transaction."""

import uuid
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app

from ..extensions import db
from ..models import Invitation, OutboxMessage, SubmittedVersion


def new_message_id() -> str:
    """A globally unique Message-ID, fixed at queue time."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"] or "")[1].rpartition("@")[2]
    domain = domain or urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue_message(
    invitation: Invitation,
    kind: str,
    submitted_version: SubmittedVersion | None = None,
    language: str | None = None,
) -> OutboxMessage:
    """Queue a message to the unit's contact, in `language` or else the unit's."""
    unit = invitation.unit
    message = OutboxMessage(
        kind=kind,
        invitation=invitation,
        submitted_version_id=submitted_version.id if submitted_version else None,
        to_address=unit.contact_email,
        language=language or unit.language,
        message_id=new_message_id(),
    )
    db.session.add(message)
    return message
