"""Round life cycle: create (draft), open, extend, close; the automatic reminder days,
the round's email texts and late answers of one unit.

A round that closed itself at its deadline (still `open` in the database) takes answers
again when its deadline is extended; a round closed explicitly (`close`) stays closed,
and no unit answers late in it either (late answers: late.py).

Every change reads the round again under a lock first (`lock`), so two admins who
press the same button at once change it once: the second is refused with the state the
first one left. Refusals are `Refused` errors: English text for the command line and a
`code` for the web, which says it in the admin's language (survey_app/refusals.py).
"""

import re
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..invitations.email_texts import KINDS, LANGUAGES, EmailTextError, check_email_text
from ..invitations.services import create_missing_invitations, refresh_round
from ..models import QuestionnaireVersion, Round, round_questionnaires
from ..models.types import utcnow
from ..questionnaires.registry import DEFAULT_KEYS, questionnaire_versions
from ..refusals import Refused
from ..timeutil import format_local

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,99}\Z")
TITLE_MAX = 300  # Round.title is String(300)
REMINDER_DAYS_MAX = 365
# Slugs that are pages of their own under /admin/rounds/.
RESERVED_SLUGS = ("new", "import")
# How far ahead a deadline or a late time may be: years enough for any real round, and
# a typo such as 2062 for 2026 (or 9999) is caught before dates computed from it go
# out of the calendar.
YEARS_AHEAD_MAX = 5
# The columns a change reads again under its lock.
_STATE = ("state", "deadline", "opened_at", "closed_at", "reminder_days", "email_texts")


def latest_moment(now: datetime | None = None) -> datetime:
    """The latest deadline or late time that may be set now (YEARS_AHEAD_MAX ahead)."""
    return (now or utcnow()) + timedelta(days=365 * YEARS_AHEAD_MAX)


def check_ahead(moment: datetime, what: str) -> None:
    latest = latest_moment()
    if moment > latest:
        raise Refused(
            f"{what}: at most {YEARS_AHEAD_MAX} years ahead (until {format_local(latest)})",
            code="too_far_ahead",
        )


def lock(round_: Round) -> Round:
    """The round read again and locked until the commit (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite runs one writing transaction at a time anyway): a change is
    checked against what another admin's change left, never against a stale copy.
    Every change below starts with it; a caller that reads the round first (to record
    the values before) calls it before reading."""
    db.session.flush()  # the caller's own changes first: a refresh would drop them
    db.session.refresh(round_, _STATE, with_for_update=True)
    return round_


def check_extendable(round_: Round) -> None:
    """An explicitly closed round keeps its deadline."""
    if round_.state == "closed":
        raise Refused(
            f"round {round_.slug!r} was closed; it cannot be extended", code="closed_deadline"
        )


def check_not_closed(round_: Round, code: str) -> None:
    """Reminders and texts change while the round takes answers (or is a draft)."""
    if round_.effective_state() == "closed":
        raise Refused(f"round {round_.slug!r} is closed", code=code)


def create_round(
    slug: str,
    title: str,
    deadline: datetime,
    keys: tuple[str, ...] = DEFAULT_KEYS,
    title_translations: dict[str, str] | None = None,
    reminder_days: tuple[int, ...] = (),
) -> Round:
    """A new draft round; Refused, or DefinitionError when a questionnaire file was
    changed without a new version."""
    translations = check_names(slug, title, title_translations)
    if deadline <= utcnow():
        raise Refused("deadline: must be in the future", code="in_past")
    check_ahead(deadline, "deadline")
    days = normalise_reminder_days(reminder_days)
    versions = questionnaire_versions(keys)
    round_ = Round(
        slug=slug,
        title=title.strip(),
        title_translations=translations or None,
        deadline=deadline,
        state="draft",
        reminder_days=days,
    )
    add_round(round_, versions)
    return round_


def check_names(
    slug: str, title: str, title_translations: dict[str, str] | None = None
) -> dict[str, str]:
    """Refused unless the slug and the titles can be a round's; the translations given
    (stripped, empty ones left out)."""
    if not SLUG_RE.match(slug):
        raise Refused(
            "slug: use lowercase letters, digits and '-' (at most 100)", code="slug_invalid"
        )
    if slug in RESERVED_SLUGS:
        raise Refused(f"slug: {slug!r} is reserved; choose another", code="slug_reserved")
    if not title.strip():
        raise Refused("title: must not be empty", code="title_invalid")
    translations = {
        lang: text.strip()
        for lang, text in (title_translations or {}).items()
        if text and text.strip()
    }
    for text in (title.strip(), *translations.values()):
        if len(text) > TITLE_MAX:
            raise Refused(f"title: at most {TITLE_MAX} characters", code="title_invalid")
        if any(ord(character) < 32 for character in text):
            raise Refused("title: one line, without control characters", code="title_invalid")
    return translations


def add_round(round_: Round, versions: list[QuestionnaireVersion]) -> None:
    """Store a new round pinning these questionnaire versions; Refused when its slug
    is taken (the unique slug decides, also between two admins creating it at once)."""
    try:
        with db.session.begin_nested():
            db.session.add(round_)
    except IntegrityError:
        raise Refused(
            f"a round with slug {round_.slug!r} exists already", code="slug_taken"
        ) from None
    pin_questionnaires(round_, versions)


def pin_questionnaires(round_: Round, versions: list[QuestionnaireVersion]) -> None:
    """Fix the exact questionnaire versions the round asks, in this order: a later
    edit of a definition never changes a running round's questions."""
    if versions:
        db.session.execute(
            insert(round_questionnaires),
            [
                {"round_id": round_.id, "questionnaire_version_id": version.id, "position": i}
                for i, version in enumerate(versions)
            ],
        )
    db.session.expire(round_, ["questionnaire_versions"])


def open_round(round_: Round) -> None:
    lock(round_)
    if round_.state == "open":
        raise Refused(f"round {round_.slug!r} is open already", code="not_draft")
    if round_.state == "closed":
        raise Refused(
            f"round {round_.slug!r} is closed; it cannot be opened again", code="not_draft"
        )
    if round_.deadline <= utcnow():
        raise Refused(f"round {round_.slug!r} has its deadline in the past", code="deadline_passed")
    round_.state = "open"
    round_.opened_at = utcnow()


def close_round(round_: Round) -> None:
    lock(round_)
    if round_.state == "closed":
        raise Refused(f"round {round_.slug!r} is closed already", code="closed_already")
    round_.state = "closed"
    round_.closed_at = min(utcnow(), round_.deadline)


def normalise_reminder_days(days: tuple[int, ...] | list[int]) -> list[int] | None:
    """Whole days before the deadline, each once, largest first; None for none."""
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int):
            raise Refused(
                f"reminder days: {day!r} is not a whole number of days", code="reminder_days"
            )
        if not 1 <= day <= REMINDER_DAYS_MAX:
            raise Refused(
                f"reminder days: {day} is not between 1 and {REMINDER_DAYS_MAX}",
                code="reminder_days",
            )
    return sorted(set(days), reverse=True) or None


def set_reminder_days(round_: Round, days: tuple[int, ...] | list[int]) -> bool:
    """Change the automatic reminders; a day already done is not done again. False when
    the days were those already (nothing changed)."""
    lock(round_)
    check_not_closed(round_, "closed_reminders")
    wanted = normalise_reminder_days(days)
    if wanted == round_.reminder_days:
        return False
    round_.reminder_days = wanted
    return True


def open_with_invitations(round_: Round) -> int:
    """Open the round and give every active unit its invitation (its personal link),
    mailing nothing; returns how many invitations were created."""
    open_round(round_)
    return create_missing_invitations(round_)


def extend_deadline(round_: Round, deadline: datetime) -> datetime:
    """Move the deadline later; returns the old one. A round that closed itself at its
    deadline takes answers again (and its invitations follow the roster again); an
    explicitly closed round cannot be extended. An automatic reminder already done (or
    skipped) is not done again."""
    lock(round_)
    check_extendable(round_)
    if deadline <= utcnow():
        raise Refused("deadline: must be in the future", code="in_past")
    if deadline <= round_.deadline:
        raise Refused(
            "deadline: must be later than the current deadline", code="deadline_not_later"
        )
    check_ahead(deadline, "deadline")
    reopens = round_.effective_state() == "closed"
    old = round_.deadline
    round_.deadline = deadline
    if reopens:
        refresh_round(round_)
    return old


EmailTexts = dict[tuple[str, str], dict[str, str] | None]


def set_email_texts(round_: Round, wanted: EmailTexts) -> tuple[EmailTexts, EmailTexts]:
    """Give the round its own texts ({"subject", "body"}) or the standard text (None)
    per (kind, language); returns the (before, after) of those that changed."""
    lock(round_)
    check_not_closed(round_, "closed_texts")
    current = {k: dict(v) for k, v in (round_.email_texts or {}).items()}
    before: EmailTexts = {}
    after: EmailTexts = {}
    for (kind, language), text in wanted.items():
        if kind not in KINDS or language not in LANGUAGES:
            raise Refused(f"no email text {kind!r} in {language!r}", code="email_text")
        try:
            text = check_email_text(text["subject"], text["body"]) if text is not None else None
        except EmailTextError as error:
            raise Refused(f"{kind} ({language}) {error}", code="email_text") from error
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
