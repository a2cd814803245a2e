"""Round life cycle: create (draft), open, extend, close; the automatic reminder days,
the round's email texts and late answers of one unit.

A round that closed itself at its deadline (still `open` in the database) takes answers
again when its deadline is extended; a round closed explicitly (`close`) stays closed,
and no unit answers late in it either.
"""

import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select

from ..extensions import db
from ..invitations.services import ensure_invitations
from ..models import Invitation, Round, Unit, round_questionnaires
from ..models.types import utcnow
from ..outbox.overrides import KINDS, LANGUAGES, check_email_text
from ..questionnaires.registry import DEFAULT_KEYS, ensure_stored, shipped_definitions

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
TITLE_MAX = 300  # Round.title is String(300)
REMINDER_DAYS_MAX = 365
# Slugs that are pages of their own under /admin/rounds/.
RESERVED_SLUGS = ("new",)


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
    if slug in RESERVED_SLUGS:
        raise RoundError(f"slug: {slug!r} is reserved; choose another")
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


def open_with_invitations(round_: Round) -> int:
    """Open the round and give every active unit its invitation (its personal link),
    mailing nothing; returns how many invitations were created."""
    open_round(round_)
    _invitations, created = ensure_invitations(round_)
    return created


def extend_deadline(round_: Round, deadline: datetime) -> datetime:
    """Move the deadline later; returns the old one. A round that closed itself at its
    deadline takes answers again; an explicitly closed round cannot be extended. An
    automatic reminder already done (or skipped) is not done again."""
    if round_.state == "closed":
        raise RoundError(f"round {round_.slug!r} was closed; it cannot be extended")
    if deadline <= utcnow():
        raise RoundError("deadline: must be in the future")
    if deadline <= round_.deadline:
        raise RoundError("deadline: must be later than the current deadline")
    old = round_.deadline
    round_.deadline = deadline
    return old


EmailTexts = dict[tuple[str, str], dict[str, str] | None]


def set_email_texts(round_: Round, wanted: EmailTexts) -> tuple[EmailTexts, EmailTexts]:
    """Give the round its own texts ({"subject", "body"}) or the standard text (None)
    per (kind, language); returns the (before, after) of those that changed."""
    if round_.effective_state() == "closed":
        raise RoundError(f"round {round_.slug!r} is closed")
    current = {k: dict(v) for k, v in (round_.email_texts or {}).items()}
    before: EmailTexts = {}
    after: EmailTexts = {}
    for (kind, language), text in wanted.items():
        if kind not in KINDS or language not in LANGUAGES:
            raise RoundError(f"no email text {kind!r} in {language!r}")
        text = check_email_text(text["subject"], text["body"]) if text is not None else None
        old = current.get(kind, {}).get(language)
        if old == text:
            continue
        before[(kind, language)] = old
        after[(kind, language)] = text
        if text is None:
            current[kind].pop(language)
        else:
            current.setdefault(kind, {})[language] = text
    if after:
        round_.email_texts = {k: v for k, v in current.items() if v} or None
    return before, after


def allow_late(invitation: Invitation, until: datetime | None) -> datetime | None:
    """Let one unit answer after the deadline until `until` (None: not any more);
    returns the previous permission. Only in an open round: once it is closed
    explicitly, nobody answers."""
    round_ = invitation.round
    if until is not None:
        if round_.state != "open":
            raise RoundError(f"round {round_.slug!r} is {round_.state}, not open")
        if until <= utcnow():
            raise RoundError("late answers: the time must be in the future")
        if until <= round_.deadline:
            raise RoundError("late answers: the time must be after the deadline")
        limit = round_.deadline + timedelta(days=current_app.config["TOKEN_DAYS_AFTER_CLOSE"])
        if until > limit:
            raise RoundError("late answers: too far after the deadline (the link expires)")
    old = invitation.late_until
    invitation.late_until = until
    return old


def late_invitations(round_: Round, scope=None) -> list[Invitation]:
    """The invitations of the round that may answer late (or could have), by unit code;
    `scope` restricts the query to an admin's units."""
    query = (
        select(Invitation)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(Invitation.round_id == round_.id, Invitation.late_until.is_not(None))
        .order_by(Unit.code)
    )
    if scope is not None:
        query = scope(query)
    return list(db.session.scalars(query))
