"""Round life cycle: create (draft), open, close; the automatic reminder days."""

import re
from datetime import datetime

from sqlalchemy import insert, select

from ..extensions import db
from ..models import Round, round_questionnaires
from ..models.types import utcnow
from ..questionnaires.registry import DEFAULT_KEYS, ensure_stored, shipped_definitions

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
TITLE_MAX = 300  # Round.title is String(300)
REMINDER_DAYS_MAX = 365


class RoundError(ValueError):
    pass


def get_round(slug: str) -> Round:
    round_ = db.session.scalar(select(Round).filter_by(slug=slug))
    if round_ is None:
        raise RoundError(f"no round with slug {slug!r}")
    return round_


def create_round(
    slug: str,
    title: str,
    deadline: datetime,
    keys: tuple[str, ...] = DEFAULT_KEYS,
    title_translations: dict[str, str] | None = None,
    reminder_days: tuple[int, ...] = (),
) -> Round:
    if not SLUG_RE.match(slug):
        raise RoundError("slug: use lowercase letters, digits and '-' (at most 100)")
    if not title.strip():
        raise RoundError("title: must not be empty")
    translations = {
        lang: text.strip()
        for lang, text in (title_translations or {}).items()
        if text and text.strip()
    }
    for text in (title.strip(), *translations.values()):
        if len(text) > TITLE_MAX:
            raise RoundError(f"title: at most {TITLE_MAX} characters")
        if any(ord(character) < 32 for character in text):
            raise RoundError("title: one line, without control characters")
    if deadline <= utcnow():
        raise RoundError("deadline: must be in the future")
    days = normalise_reminder_days(reminder_days)
    if db.session.scalar(select(Round).filter_by(slug=slug)) is not None:
        raise RoundError(f"a round with slug {slug!r} exists already")
    definitions = shipped_definitions()
    unknown = [key for key in keys if key not in definitions]
    if unknown or not keys:
        raise RoundError(
            f"unknown questionnaire(s) {', '.join(unknown) or '(none)'}; "
            f"available: {', '.join(sorted(definitions))}"
        )
    versions = [ensure_stored(definitions[key]) for key in dict.fromkeys(keys)]
    round_ = Round(
        slug=slug,
        title=title.strip(),
        title_translations=translations or None,
        deadline=deadline,
        state="draft",
        reminder_days=days,
    )
    db.session.add(round_)
    db.session.flush()
    db.session.execute(
        insert(round_questionnaires),
        [
            {"round_id": round_.id, "questionnaire_version_id": version.id, "position": index}
            for index, version in enumerate(versions)
        ],
    )
    db.session.expire(round_, ["questionnaire_versions"])
    return round_


def open_round(round_: Round) -> None:
    if round_.state == "open":
        raise RoundError(f"round {round_.slug!r} is open already")
    if round_.state == "closed":
        raise RoundError(f"round {round_.slug!r} is closed; it cannot be opened again")
    if round_.deadline <= utcnow():
        raise RoundError(f"round {round_.slug!r} has its deadline in the past")
    round_.state = "open"
    round_.opened_at = utcnow()


def close_round(round_: Round) -> None:
    if round_.state == "closed":
        raise RoundError(f"round {round_.slug!r} is closed already")
    round_.state = "closed"
    round_.closed_at = min(utcnow(), round_.deadline)


def normalise_reminder_days(days: tuple[int, ...] | list[int]) -> list[int] | None:
    """Whole days before the deadline, each once, largest first; None for none."""
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int):
            raise RoundError(f"reminder days: {day!r} is not a whole number of days")
        if not 1 <= day <= REMINDER_DAYS_MAX:
            raise RoundError(f"reminder days: {day} is not between 1 and {REMINDER_DAYS_MAX}")
    return sorted(set(days), reverse=True) or None


def set_reminder_days(round_: Round, days: tuple[int, ...] | list[int]) -> None:
    """Change the automatic reminders; a day already done is not done again."""
    if round_.effective_state() == "closed":
        raise RoundError(f"round {round_.slug!r} is closed")
    round_.reminder_days = normalise_reminder_days(days)
