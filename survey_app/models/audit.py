"""The audit log: who did what, when, to what, with the values before and after.

Every feature records its admins' changes with `AuditEntry.record`, in the same
transaction as the change; the `audit` feature lists them."""

import getpass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .admin import Admin
from .types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admins.id", ondelete="SET NULL"))
    # Kept as text too: the entry outlives the account.
    admin_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300))
    # The region the entry concerns (None: every region): a regional admin sees its own.
    region: Mapped[str | None] = mapped_column(String(200), index=True)
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    @classmethod
    def record(
        cls,
        admin: Admin,
        action: str,
        target: str,
        region: str | None,
        before: dict | None = None,
        after: dict | None = None,
    ) -> "AuditEntry":
        """Add an entry in the caller's transaction: it lands with the change or not at all."""
        entry = cls(admin_id=admin.id, admin_email=admin.email, action=action, target=target)
        entry.region, entry.before, entry.after = region, before, after
        db.session.add(entry)
        return entry

    @classmethod
    def record_command(
        cls, action: str, target: str, region: str | None, after: dict | None = None
    ) -> "AuditEntry":
        """The same for a change made on the command line: no admin account, so the
        entry names the operating-system user who ran it."""
        entry = cls(admin_id=None, admin_email=f"command line ({_os_user()})")
        entry.action, entry.target, entry.region, entry.after = action, target, region, after
        db.session.add(entry)
        return entry


def _os_user() -> str:
    try:
        return getpass.getuser()[:200]
    except (KeyError, OSError):  # no name for this uid (a container, say)
        return "unknown user"
