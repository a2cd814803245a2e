"""Admins: national (every unit) or regional (one competence-centre region), and their
API tokens (stored hashed, shown once, revocable)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Select, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .invitation import Invitation
from .types import UTCDateTime, utcnow
from .unit import Unit

ADMIN_ROLES = ("national", "regional")


class Admin(UserMixin, db.Model):
    __tablename__ = "admins"
    __table_args__ = (
        CheckConstraint(f"role IN {ADMIN_ROLES!r}", name="role_known"),
        CheckConstraint(
            "(role = 'national' AND region IS NULL) OR (role = 'regional' AND region IS NOT NULL)",
            name="region_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Bumped on password change: every session made before it ends.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="admin")

    @property
    def is_national(self) -> bool:
        return self.role == "national"

    @property
    def scope(self) -> str:
        """The units this admin sees, as a name: "*" for every region, else its own."""
        return "*" if self.is_national else f"region={self.region}"

    @property
    def seen_region(self) -> str | None:
        """The region this admin's lists and counts are kept to; None: every region."""
        return None if self.is_national else self.region

    def scope_units(self, query: Select) -> Select:
        """Region scoping, the one rule every list and count follows: restrict a query
        that involves `Unit` to the units this admin may see (a national admin: all;
        a regional admin: its own region's)."""
        return units_in_region(query, self.seen_region)

    def scope_invitations(self, query: Select) -> Select:
        """The same rule for a round's own counts and lists, which involve `Invitation`:
        by the region the unit had for that round (frozen once the round closed)."""
        return invitations_in_region(query, self.seen_region)

    def get_id(self) -> str:
        """Flask-Login's session key: id and session version, so a password change
        logs out every other session."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<Admin {self.email} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admins.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    admin: Mapped[Admin] = relationship(back_populates="tokens")


def units_in_region(query: Select, region: str | None) -> Select:
    """`Admin.scope_units` for a region (None: all), for statements built once and kept."""
    return query if region is None else query.where(Unit.region == region)


def invitations_in_region(query: Select, region: str | None) -> Select:
    """`Admin.scope_invitations` for a region (None: all)."""
    return query if region is None else query.where(Invitation.unit_region == region)
