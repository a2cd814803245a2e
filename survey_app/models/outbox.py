"""The transactional outbox: every email is a row written with its cause, sent later.

A row holds what to send and to whom, never the rendered link (that is built at send
time from the invitation, or from the admin's password reset, so a copy of the table
opens nothing). Its cause is an invitation (invitations, reminders, receipts) or an
admin (password resets), never both.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .admin import Admin
from .invitation import Invitation
from .types import UTCDateTime, utcnow

MESSAGE_KINDS = ("invitation", "reminder", "receipt", "password_reset")
MESSAGE_STATUSES = ("queued", "sent", "failed")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(f"kind IN {MESSAGE_KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {MESSAGE_STATUSES!r}", name="status_known"),
        # Exactly one cause, the one the kind needs.
        CheckConstraint(
            "(kind = 'password_reset' AND admin_id IS NOT NULL AND invitation_id IS NULL)"
            " OR (kind <> 'password_reset' AND invitation_id IS NOT NULL AND admin_id IS NULL)",
            name="cause_matches_kind",
        ),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    admin_id: Mapped[int | None] = mapped_column(
        ForeignKey("admins.id", ondelete="CASCADE"), index=True
    )
    # For a receipt: the submission whose answers it carries.
    submitted_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_versions.id", ondelete="CASCADE")
    )
    to_address: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2))
    # Fixed when queued, so a resend after a crash carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A worker's claim: others leave the row alone until it expires.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    invitation: Mapped[Invitation | None] = relationship()
    admin: Mapped[Admin | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
