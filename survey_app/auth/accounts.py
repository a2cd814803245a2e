"""Admin accounts: creating them, logging in with throttling, API tokens.

Guessing is slowed twice, and neither way locks the owner out: one client address may
fail `LINK_FAILURE_LIMIT` logins in ten minutes, and one account only
`FAILURES_PER_ACCOUNT` from one address. Both are refused before any password is
hashed, and an unknown account is counted and answered like a known one."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update

from .. import rate_limit
from ..database import write_apart
from ..extensions import db
from ..models import Admin, ApiToken, Unit
from ..models.admin import ADMIN_ROLES
from ..models.types import utcnow
from ..questionnaires.classification import stored_value

# Argon2id: memory-hard, so a stolen table of hashes is slow to crack on GPUs.
PASSWORDS = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
FAILURES_PER_ACCOUNT = 5


class AccountError(ValueError):
    pass


class LoginRefused(Exception):
    """Why a login was refused: "wrong" (email or password), "account" (too many
    failures for this account from this address) or "client" (too many failures from
    this address)."""

    def __init__(self, reason: str = "wrong"):
        super().__init__(reason)
        self.reason = reason


def create_admin(email: str, role: str, region: str | None, password: str) -> Admin:
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError(f"{email!r} is not a valid email address") from None
    if role not in ADMIN_ROLES:
        raise AccountError(f"role must be one of {', '.join(ADMIN_ROLES)}")
    region = (region or "").strip() or None
    if region is not None:  # a code or a name in any language: the roster's name
        region = stored_value("region", region) or region
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


def log_in(email: str, password: str) -> Admin:
    """The admin whose email and password these are, or LoginRefused. Failures are
    counted for the client (the caller commits, also after a refusal)."""
    email = email.strip().lower()
    account = f"login:{email}"
    if rate_limit.too_many_failures(rate_limit.failures("login")):
        raise LoginRefused("client")
    if rate_limit.failures(account) >= FAILURES_PER_ACCOUNT:
        raise LoginRefused("account")
    admin = db.session.scalar(select(Admin).filter_by(email=email))
    if not _password_matches(admin, password):
        if rate_limit.too_many_failures(rate_limit.record_failure("login")):
            raise LoginRefused("client")
        failed = rate_limit.record_failure(account)
        raise LoginRefused("account" if failed > FAILURES_PER_ACCOUNT else "wrong")
    admin.last_login_at = utcnow()
    if PASSWORDS.check_needs_rehash(admin.password_hash):
        admin.password_hash = PASSWORDS.hash(password)
    return admin


def _password_matches(admin: Admin | None, password: str) -> bool:
    """Checked against a stand-in hash when there is no such admin, so that both cases
    take the same time."""
    try:
        PASSWORDS.verify(admin.password_hash if admin else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return admin is not None


@cache
def _dummy_hash() -> str:
    return PASSWORDS.hash("not-a-real-password-just-for-timing")


def forgive_failed_logins(admin: Admin) -> None:
    """After a password reset, this browser's address may log in to the account again
    at once."""
    rate_limit.forget(f"login:{admin.email}")


def admin_for_session(session_id: str) -> Admin | None:
    """Flask-Login's loader: "id:session_version" from the signed session cookie."""
    admin_id, _, version = session_id.partition(":")
    if not admin_id.isdigit() or not version.isdigit():
        return None
    admin = db.session.get(Admin, int(admin_id))
    if admin is None or admin.session_version != int(version):
        return None
    return admin


def end_sessions(admin: Admin) -> None:
    """Every session of the admin ends, on every browser: the signed cookies name the
    session version they were made with, and it is checked on every request."""
    admin.session_version += 1


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


# A token's last use is kept to the minute: a client paging through the API does not
# write on every request.
LAST_USE_PRECISION = timedelta(minutes=1)


def admin_for_api_token(token: str) -> Admin | None:
    record = db.session.scalar(
        select(ApiToken).filter_by(token_hash=_token_hash(token), revoked_at=None)
    )
    if record is None:
        return None
    token_id, admin_id, now = record.id, record.admin_id, utcnow()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USE_PRECISION:
        write_apart()  # the API's GETs read; this one write runs apart (the caller commits)
        db.session.execute(update(ApiToken).filter_by(id=token_id).values(last_used_at=now))
    return db.session.get(Admin, admin_id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
