"""A development unit (kehittämisyksikkö) of the roster."""

import re
from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

UNIT_STATUSES = ("active", "preparing")
# A code names the unit in files and in addresses (/admin/units/<code>/edit): safe as a
# path segment, never one a browser would resolve ("." or "..", a slash).
CODE_RE = re.compile(r"(?!\.\.?\Z)[A-Za-z0-9._-]{1,32}\Z")
LANGUAGES = ("fi", "sv", "en")


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(f"status IN {UNIT_STATUSES!r}", name="status_known"),
        CheckConstraint(f"language IN {LANGUAGES!r}", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(200), index=True)
    municipality: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), default="fi")
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def is_active_member(self) -> bool:
        return self.deactivated_at is None

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"
