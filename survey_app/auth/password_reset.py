"""Password reset by an emailed one-time link.

`request_reset` makes a reset for a known admin and queues its email in the caller's
transaction; for an unknown address it does nothing, and the page says the same either
way. The token is never stored, not even in the outbox: like an invitation link it is
HMAC(SECRET_KEY, purpose + a per-reset salt), and the database keeps the salt and a hash.
The worker rebuilds the link when it sends (`link_for`). A link works for an hour, once,
and only while it is the admin's newest.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from .. import tokens
from ..extensions import db
from ..models import Admin, PasswordReset
from ..models.types import utcnow
from ..outbox.queue import queue_admin_message
from ..refusals import Refused
from ..tokens import LinkUnavailable
from .accounts import (
    MIN_PASSWORD_LENGTH,
    PASSWORDS,
    AccountError,
    end_sessions,
    forgive_failed_logins,
)

RESET_LIFETIME = timedelta(hours=1)
PURPOSE = b"password-reset:"  # keeps these tokens apart from invitation links


def request_reset(email: str, language: str) -> PasswordReset | None:
    """A new reset link for the admin with this address, mailed in `language`; None
    (and nothing queued) when no admin has it. Earlier unused links stop working."""
    admin = db.session.scalar(select(Admin).filter_by(email=email.strip().lower()))
    if admin is None:
        return None
    db.session.execute(
        delete(PasswordReset).where(
            PasswordReset.admin_id == admin.id, PasswordReset.used_at.is_(None)
        )
    )
    salt = tokens.new_salt()
    _token, digest = tokens.issue(salt, PURPOSE)
    # Set here, not at flush: a message queued before this moment is superseded.
    now = utcnow()
    reset = PasswordReset(
        admin=admin,
        token_salt=salt,
        token_hash=digest,
        created_at=now,
        expires_at=now + RESET_LIFETIME,
    )
    db.session.add(reset)
    queue_admin_message(admin, "password_reset", language)
    db.session.flush()
    return reset


def current_reset(admin: Admin) -> PasswordReset | None:
    """The admin's newest reset, the only one whose link may work."""
    return db.session.scalar(
        select(PasswordReset)
        .filter_by(admin_id=admin.id)
        .order_by(PasswordReset.created_at.desc(), PasswordReset.id.desc())
        .limit(1)
    )


def find_reset(token: str) -> PasswordReset | None:
    """The reset this token opens, or None for a malformed, unknown, used, expired or
    superseded token (the caller answers all of them with the same 404)."""
    if not tokens.is_well_formed(token):
        return None
    reset = db.session.scalar(select(PasswordReset).filter_by(token_hash=tokens.token_hash(token)))
    if reset is None or not is_open(reset) or current_reset(reset.admin) is not reset:
        return None
    return reset


def is_open(reset: PasswordReset) -> bool:
    return reset.used_at is None and reset.expires_at > utcnow()


def complete_reset(reset: PasswordReset, password: str) -> None:
    """Set the new password and end every session of the admin; Refused when the link
    was used meanwhile (two submits at once: only one wins)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise Refused(f"password reset {reset.id} was used meanwhile", code="reset_used")
    admin = reset.admin
    admin.password_hash = PASSWORDS.hash(password)
    end_sessions(admin)
    forgive_failed_logins(admin)
    db.session.flush()


def link_for(reset: PasswordReset) -> str:
    """The emailed link, rebuilt from the salt; LinkUnavailable if SECRET_KEY changed
    with no fallback for the key that made it."""
    token = tokens.rebuild(reset.token_salt, reset.token_hash, PURPOSE)
    if token is None:
        raise LinkUnavailable(f"password reset {reset.id}")
    return f"{current_app.config['BASE_URL']}/admin/password/reset/{token}"
