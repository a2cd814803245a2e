"""What an admin changes on a round from the browser, each change recorded in the audit
log in the same transaction (as actions.py does for the dashboard).

The rules are `rounds.services`' (the same functions as `flask rounds ...`), which read
the round again under a lock, so two admins pressing the same button at once change it
once. Functions raise `Refused` (with a `code`) or `UnitNotVisible`; they do
not commit.
"""

from dataclasses import dataclass
from datetime import datetime

from ..auth.scope import visible_invitation
from ..models import Admin, AuditEntry, Round
from ..questionnaires.validation import DefinitionError
from ..refusals import Refused
from ..timeutil import format_local
from . import late, services
from .services import EmailTexts


@dataclass(frozen=True)
class NewRound:
    slug: str
    title: str
    title_sv: str
    title_en: str
    deadline: datetime
    questionnaires: tuple[str, ...]
    reminder_days: tuple[int, ...]
    email_texts: EmailTexts


def _target(round_: Round) -> str:
    return f"round {round_.slug}"


def create(admin: Admin, new: NewRound) -> Round:
    """A draft round with its email texts set as the manage page sets them."""
    try:
        round_ = services.create_round(
            new.slug,
            new.title,
            new.deadline,
            new.questionnaires,
            title_translations={"sv": new.title_sv, "en": new.title_en},
            reminder_days=new.reminder_days,
        )
    except DefinitionError as error:
        raise Refused(str(error), code="questionnaire_changed") from error
    services.set_email_texts(round_, new.email_texts)
    AuditEntry.record(
        admin,
        "create round",
        _target(round_),
        None,
        after={
            "title": round_.title,
            "deadline": format_local(round_.deadline),
            "questionnaires": [f"{v.key} v{v.version}" for v in round_.questionnaire_versions],
            "reminder_days": round_.reminder_days,
            "email_texts": [
                f"{kind} {language}"
                for kind, languages in (round_.email_texts or {}).items()
                for language in languages
            ],
        },
    )
    return round_


def open_round(admin: Admin, round_: Round) -> int:
    """Open a draft round, creating every active unit's invitation (nothing is
    mailed); returns how many invitations were created."""
    created = services.open_with_invitations(round_)
    AuditEntry.record(
        admin,
        "open round",
        _target(round_),
        None,
        before={"state": "draft"},
        after={"state": "open", "invitations_created": created},
    )
    return created


def close_round(admin: Admin, round_: Round) -> None:
    services.lock(round_)
    before = round_.effective_state()
    services.close_round(round_)
    AuditEntry.record(
        admin,
        "close round",
        _target(round_),
        None,
        before={"state": before},
        after={"state": "closed"},
    )


def extend_deadline(admin: Admin, round_: Round, deadline: datetime) -> None:
    """A later deadline; a round that closed itself at its deadline opens again."""
    services.lock(round_)
    before_state = round_.effective_state()
    old = services.extend_deadline(round_, deadline)
    AuditEntry.record(
        admin,
        "extend deadline",
        _target(round_),
        None,
        before={"deadline": format_local(old), "state": before_state},
        after={"deadline": format_local(round_.deadline), "state": round_.effective_state()},
    )


def set_reminder_days(admin: Admin, round_: Round, days: list[int]) -> bool:
    """False when the days were those already: nothing changed, nothing recorded."""
    services.lock(round_)
    before = round_.reminder_days
    if not services.set_reminder_days(round_, days):
        return False
    AuditEntry.record(
        admin,
        "set reminder days",
        _target(round_),
        None,
        before={"reminder_days": before},
        after={"reminder_days": round_.reminder_days},
    )
    return True


def set_email_texts(admin: Admin, round_: Round, texts: EmailTexts) -> bool:
    """False when every text was as it was: nothing changed, nothing recorded."""
    before, after = services.set_email_texts(round_, texts)
    if not after:
        return False
    AuditEntry.record(
        admin,
        "set email texts",
        _target(round_),
        None,
        before={f"{kind} {language}": text for (kind, language), text in before.items()},
        after={f"{kind} {language}": text for (kind, language), text in after.items()},
    )
    return True


@dataclass(frozen=True)
class LateAnswers:
    unit_name: str
    until: datetime | None
    changed: bool


def allow_late(admin: Admin, round_: Round, code: str, until: datetime | None) -> LateAnswers:
    """Let a unit the admin sees answer until `until` (None: not any more)."""
    invitation = visible_invitation(round_, admin, code)
    unit = invitation.unit
    before = late.allow_late(invitation, until)
    if before is None and until is None:
        return LateAnswers(unit.name, None, changed=False)
    AuditEntry.record(
        admin,
        "late answers",
        f"{_target(round_)}: unit {unit.code}",
        unit.region,
        before={"late_until": format_local(before) if before else None},
        after={"late_until": format_local(until) if until else None},
    )
    return LateAnswers(unit.name, until, changed=True)
