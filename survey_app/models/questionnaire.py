"""A stored, immutable version of a questionnaire definition.

Rounds point at these rows, so a definition file edited later never changes what a
past round asked.
"""

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .definition import Questionnaire
from .types import UTCDateTime, utcnow

# Parsed definitions by checksum (a hash of the content): a stored version never
# changes, so each is parsed once per process, not once per request.
_PARSED: dict[str, Questionnaire] = {}


class QuestionnaireVersion(db.Model):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_questionnaire_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    # Read only when a version is parsed for the first time in this process.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Published by an author (not a file shipped with the service): it keeps its number
    # even when a later release ships a file of the same number.
    published: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    @property
    def questionnaire(self) -> Questionnaire:
        """The parsed definition object."""
        parsed = _PARSED.get(self.checksum)
        if parsed is None:
            parsed = _PARSED[self.checksum] = Questionnaire.from_dict(self.definition)
        return parsed
