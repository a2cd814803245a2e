"""A unit's response to a round: current answers plus the history of submissions.

`Answer` rows (one per item, one per chosen option for multiple choice) hold the
latest submission so results aggregate in SQL; a draft is kept apart in
`Response.draft`; `SubmittedVersion` keeps every submission as it was, never
overwritten. Whether and when the unit submitted is one fact, kept on the invitation
(`Invitation.submitted_at`).
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .invitation import Invitation
from .types import UTCDateTime, utcnow


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    # Bumped by every save and checked in its UPDATE (the ORM's version counter for a new
    # response, `respond.writes.update_response` for a stored one): the optimistic lock
    # that stops two tabs overwriting each other.
    version: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(String(2), default="fi")
    last_submission_key: Mapped[str | None] = mapped_column(String(64))
    # Unsent work: {item code: [values]}. Answer rows hold only what was submitted.
    draft: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invitation: Mapped[Invitation] = relationship()
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )
    history: Mapped[list["SubmittedVersion"]] = relationship(
        back_populates="response",
        cascade="all, delete-orphan",
        order_by="SubmittedVersion.number",
    )

    __mapper_args__ = {"version_id_col": version}


class Answer(db.Model):
    __tablename__ = "answers"
    # Long texts make no index key (PostgreSQL caps index rows at a few kB): rows are
    # keyed by position within the item instead of by value.
    __table_args__ = (
        UniqueConstraint("response_id", "item_code", "position", name="uq_answer_position"),
        Index("ix_answers_item_code", "item_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    value: Mapped[str] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")

    @staticmethod
    def rows(response_id: int, answers: dict[str, list[str]]) -> list[dict]:
        """The rows that hold a submission's answers ({item code: [values]}): one per
        value, numbered within its item, a value given twice kept once."""
        return [
            {"response_id": response_id, "item_code": code, "position": position, "value": value}
            for code, values in answers.items()
            for position, value in enumerate(dict.fromkeys(values))
        ]


class SubmittedVersion(db.Model):
    __tablename__ = "submitted_versions"
    __table_args__ = (UniqueConstraint("response_id", "number", name="uq_submitted_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    language: Mapped[str] = mapped_column(String(2))
    answers: Mapped[dict] = mapped_column(JSON)

    response: Mapped[Response] = relationship(back_populates="history")
