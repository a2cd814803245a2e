"""A PDF download, kept: drawn once from what it shows, served again until that changes.

A document is found by its `key`, a digest of what it was drawn from (the data on the
page, the template, the language, the reader's scope), so a second download of the same
thing is a read, and a closed round's PDF is drawn once. A large one is drawn by
`flask pdf work` in the background: the request stores the page's HTML and the row
waits as `queued` until a worker claims it. Newer documents of the same `slot` (the
same page for the same reader) replace older ones.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

DOCUMENT_STATUSES = ("queued", "ready", "failed")


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (CheckConstraint(f"status IN {DOCUMENT_STATUSES!r}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    slot: Mapped[str] = mapped_column(String(300), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # The page to draw (kept until drawn) and the drawing; read only when needed.
    html: Mapped[str | None] = deferred(mapped_column(Text))
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    error: Mapped[str | None] = mapped_column(Text)
    # A worker's claim: others leave the row alone until it expires.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Document {self.slot} {self.status}>"
