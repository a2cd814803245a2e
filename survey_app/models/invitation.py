"""An invitation: one unit's personal link to one round.

The link's token is derived from `token_salt` and the app's secret key; only a hash of
the token is stored, so a copy of the database alone rebuilds no working link.

The invitation also keeps the unit as it was for its round (`unit_*`): copied when the
invitation is made, kept in step with the roster while the round is open, frozen once
it closes. Every count and list of a round reads these, so a closed round's numbers
never change with later roster edits (BRIEF.md, "Rounds keep their history").
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .round import Round
from .types import UTCDateTime, utcnow
from .unit import Unit

# The unit's values a round keeps as they were (`Invitation.unit_<name>`).
UNIT_SNAPSHOT = ("name", "field", "status", "region", "municipality", "deactivated_at")


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id", name="uq_invitation_round_unit"),
        # A unit's invitations across rounds: its previous profile, its rounds.
        Index("ix_invitations_unit_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    token_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When an invitation email was last queued (send, reissue, resend); None: never mailed.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the unit last submitted its answers (None: not yet): the one record of it.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by an admin: this unit may still answer after the deadline, until this moment.
    late_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    unit_name: Mapped[str] = mapped_column(String(300))
    unit_field: Mapped[str] = mapped_column(String(200))
    unit_status: Mapped[str] = mapped_column(String(16))
    unit_region: Mapped[str] = mapped_column(String(200), index=True)
    unit_municipality: Mapped[str] = mapped_column(String(200), default="")
    unit_deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How often the roster's values were copied in since (`follow_roster`): one of what
    # names an open round's kept report PDF (`results.kept_report.kept_shows`).
    unit_copies: Mapped[int] = mapped_column(default=0, server_default="0")

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()

    def copy_unit(self) -> None:
        """Take the unit's values as they are now (while the round is open)."""
        for name in UNIT_SNAPSHOT:
            setattr(self, f"unit_{name}", getattr(self.unit, name))

    def accepts_answers(self, now: datetime | None = None) -> bool:
        """The round takes answers, or this unit was let answer late: after a round
        closed itself at its deadline, until `late_until`. An explicit close stops
        everyone, late units included."""
        if self.round.accepts_answers(now):
            return True
        if self.round.state != "open" or self.late_until is None:
            return False
        return (now or utcnow()) < self.late_until

    def answer_until(self) -> datetime:
        """The last moment this unit may answer: the deadline, or its later late_until."""
        deadline = self.round.deadline
        if self.late_until is not None and self.late_until > deadline:
            return self.late_until
        return deadline

    def __repr__(self) -> str:
        return f"<Invitation round={self.round_id} unit={self.unit_id}>"
