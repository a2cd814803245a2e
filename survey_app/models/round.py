"""A survey round (kartoitus): a deadline, a state and the questionnaire versions it pins."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .definition import Item, Questionnaire
from .questionnaire import QuestionnaireVersion
from .types import UTCDateTime, utcnow

ROUND_STATES = ("draft", "open", "closed")

round_questionnaires = Table(
    "round_questionnaires",
    db.metadata,
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "questionnaire_version_id",
        Integer,
        ForeignKey("questionnaire_versions.id"),
        primary_key=True,
    ),
    Column("position", Integer, nullable=False, default=0),
)


class Round(db.Model):
    __tablename__ = "rounds"
    __table_args__ = (CheckConstraint(f"state IN {ROUND_STATES!r}", name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    # The title in Finnish (the admins' language) and optional {"sv": ..., "en": ...}.
    title: Mapped[str] = mapped_column(String(300))
    title_translations: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default="draft")
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Automatic reminders: whole days before the deadline, e.g. [7, 2] (largest first).
    reminder_days: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # Per-round email texts: {"invitation"|"reminder": {"fi"|"sv"|"en": {"subject": ...,
    # "body": ...}}}, with {placeholders} (see survey_app/invitations/email_texts.py).
    email_texts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # A past round loaded from a spreadsheet (`rounds import`): the file's name and when.
    imported_from: Mapped[str | None] = mapped_column(String(300))
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    questionnaire_versions: Mapped[list[QuestionnaireVersion]] = relationship(
        secondary=round_questionnaires,
        order_by=round_questionnaires.c.position,
        viewonly=True,
    )

    def title_in(self, language: str) -> tuple[str, str]:
        """The title for this language and the language it is really in (for `lang`)."""
        translated = (self.title_translations or {}).get(language)
        if translated:
            return translated, language
        return self.title, "fi"

    def effective_state(self, now: datetime | None = None) -> str:
        """An open round is closed once its deadline has passed, with no process needed."""
        now = now or utcnow()
        if self.state == "open" and now >= self.deadline:
            return "closed"
        return self.state

    def accepts_answers(self, now: datetime | None = None) -> bool:
        return self.effective_state(now) == "open"

    @classmethod
    def not_closed(cls, now: datetime | None = None):
        """SQL for `effective_state(now) != "closed"`: a draft, or open before its
        deadline (the rounds whose invitations still follow the roster)."""
        now = now or utcnow()
        return or_(cls.state == "draft", and_(cls.state == "open", cls.deadline > now))

    def closed_time(self) -> datetime | None:
        """When the round stopped taking answers: an explicit close or the deadline."""
        if self.state == "closed":
            return self.closed_at or self.deadline
        if self.effective_state() == "closed":
            return self.deadline
        return None

    @property
    def questionnaires(self) -> list[Questionnaire]:
        return [version.questionnaire for version in self.questionnaire_versions]

    @property
    def items(self) -> list[Item]:
        """Every item the round asks, questionnaire by questionnaire, in form order: the
        form's fields and the exports' columns. Answers are keyed by item code, so a
        code two questionnaires share is one item (the first questionnaire's)."""
        seen: dict[str, Item] = {}
        for questionnaire in self.questionnaires:
            for item in questionnaire.items:
                seen.setdefault(item.code, item)
        return list(seen.values())

    def __repr__(self) -> str:
        return f"<Round {self.slug}>"
