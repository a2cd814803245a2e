"""A round's automatic reminder that was done: queued, or skipped as too late.

One row per (round, days before the deadline), unique, so two outbox workers that
reach the same reminder moment at once cannot both queue it (see
survey_app/invitations/auto_reminders.py).
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

REMINDER_OUTCOMES = ("queued", "skipped")


class RoundReminder(db.Model):
    __tablename__ = "round_reminders"
    __table_args__ = (
        UniqueConstraint("round_id", "days_before", name="uq_round_reminders_round_days"),
        CheckConstraint(f"outcome IN {REMINDER_OUTCOMES!r}", name="outcome_known"),
        CheckConstraint("days_before >= 1", name="days_before_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    days_before: Mapped[int]
    # The reminder moment: the round's deadline minus days_before.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16))
    # How many reminders were queued (0 when skipped).
    queued: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<RoundReminder round={self.round_id} -{self.days_before}d {self.outcome}>"
