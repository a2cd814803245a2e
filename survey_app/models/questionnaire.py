"""A stored, immutable version of a questionnaire definition.

Rounds point at these rows, so a definition file edited later never changes what a
past round asked.
"""

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .definition import Questionnaire
from .types import UTCDateTime, utcnow


class QuestionnaireVersion(db.Model):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_questionnaire_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def questionnaire(self) -> Questionnaire:
        """The parsed definition object (cached per instance)."""
        cached = self.__dict__.get("_parsed")
        if cached is None:
            cached = Questionnaire.from_dict(self.definition)
            self.__dict__["_parsed"] = cached
        return cached
