"""Failed link lookups per client and time window: the rate limit for guessed links.

Kept in the database, not in a worker's memory, so every worker sees the same count.
"""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class LinkFailure(db.Model):
    __tablename__ = "link_failures"
    __table_args__ = (UniqueConstraint("client", "window_start", name="uq_link_failure_window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A hash of the client's address: enough to count, nothing to identify.
    client: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(default=0)
