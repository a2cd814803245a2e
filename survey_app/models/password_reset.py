"""A request to reset an admin's password: a one-time link that works for an hour.

Like an invitation link, the token is derived from `token_salt` and the app's secret key
(see survey_app.invitations.tokens) and only its hash is stored, so a copy of the
database alone opens nothing. The outbox row that mails it holds only the admin.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .admin import Admin
from .types import UTCDateTime, utcnow


class PasswordReset(db.Model):
    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admins.id", ondelete="CASCADE"), index=True)
    token_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    admin: Mapped[Admin] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordReset admin={self.admin_id} used={self.used_at is not None}>"
