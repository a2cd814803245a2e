"""Admin accounts: creating them, checking passwords with throttling, API tokens."""

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..extensions import db
from ..models import Admin, ApiToken, Unit
from ..models.admin import ADMIN_ROLES
from ..models.types import utcnow

# Argon2id: memory-hard, so a stolen table of hashes is slow to crack on GPUs.
PASSWORDS = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
FAILURES_BEFORE_LOCK = 5
LOCK_TIME = timedelta(minutes=15)
# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = PASSWORDS.hash("not-a-real-password-just-for-timing")


class AccountError(ValueError):
    pass


class LoginRefused(Exception):
    """Wrong email or password (`locked` False), or too many failures (`locked` True)."""

    def __init__(self, locked: bool = False):
        super().__init__("locked" if locked else "invalid")
        self.locked = locked


def create_admin(email: str, role: str, region: str | None, password: str) -> Admin:
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError(f"{email!r} is not a valid email address") from None
    if role not in ADMIN_ROLES:
        raise AccountError(f"role must be one of {', '.join(ADMIN_ROLES)}")
    region = (region or "").strip() or None
    if role == "regional" and region is None:
        raise AccountError("a regional admin needs --region")
    if role == "national" and region is not None:
        raise AccountError("a national admin has no region")
    if region is not None:
        known = db.session.scalar(select(func.count()).where(Unit.region == region))
        if not known:
            raise AccountError(f"no unit of the roster is in region {region!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(Admin).filter_by(email=email)) is not None:
        raise AccountError(f"an admin {email} exists already")
    admin = Admin(email=email, role=role, region=region, password_hash=PASSWORDS.hash(password))
    db.session.add(admin)
    db.session.flush()
    return admin


def authenticate(email: str, password: str) -> Admin:
    """The admin whose email and password these are, or LoginRefused. Records the
    outcome on the account (the caller commits, also after a refusal)."""
    admin = db.session.scalar(select(Admin).filter_by(email=email.strip().lower()))
    now = utcnow()
    if admin is not None and admin.locked_until is not None and admin.locked_until > now:
        raise LoginRefused(locked=True)
    stored = admin.password_hash if admin is not None else _DUMMY_HASH
    try:
        PASSWORDS.verify(stored, password)
    except (VerificationError, InvalidHashError):
        if admin is not None:
            admin.failed_logins += 1
            if admin.failed_logins >= FAILURES_BEFORE_LOCK:
                admin.locked_until = now + LOCK_TIME
                admin.failed_logins = 0
        raise LoginRefused() from None
    if admin is None:
        raise LoginRefused()
    admin.failed_logins = 0
    admin.locked_until = None
    admin.last_login_at = now
    if PASSWORDS.check_needs_rehash(admin.password_hash):
        admin.password_hash = PASSWORDS.hash(password)
    return admin


def admin_for_session(session_id: str) -> Admin | None:
    """Flask-Login's loader: "id:session_version" from the signed session cookie."""
    admin_id, _, version = session_id.partition(":")
    if not admin_id.isdigit() or not version.isdigit():
        return None
    admin = db.session.get(Admin, int(admin_id))
    if admin is None or admin.session_version != int(version):
        return None
    return admin


def get_admin(email: str) -> Admin:
    admin = db.session.scalar(select(Admin).filter_by(email=email.strip().lower()))
    if admin is None:
        raise AccountError(f"no admin {email}")
    return admin


def issue_api_token(admin: Admin) -> str:
    """A new API token; only its hash is stored, so it is shown this once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(admin=admin, token_hash=_token_hash(token)))
    db.session.flush()
    return token


def revoke_api_tokens(admin: Admin) -> int:
    count = 0
    for token in admin.tokens:
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            count += 1
    return count


def admin_for_api_token(token: str) -> Admin | None:
    record = db.session.scalar(
        select(ApiToken).filter_by(token_hash=_token_hash(token), revoked_at=None)
    )
    if record is None:
        return None
    record.last_used_at = utcnow()
    return record.admin


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
