"""A past round loaded from a spreadsheet (BRIEF.md, "Rounds keep their history").

The competence centres kept their earlier rounds (December 2007, February 2008 …) in
spreadsheets. A file in the shape of `results export --format csv` (a `code` column,
the unit columns the export writes, one column per item code; empty = not answered)
becomes a closed round dated on its closing day, with one submitted response per row,
so the next round's report can show the change since it.

All or nothing: every row is checked first (the unit code against the roster, each
answer by the same form rules as a respondent's), and a file with any bad row writes
nothing. The checks write nothing either; store.py writes.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import (
    QuestionnaireVersion,
    Unit,
)
from ..models.definition import Item
from ..models.types import utcnow
from ..questionnaires.classification import stored_value
from ..refusals import Refused
from ..results.exports import UNIT_COLUMNS
from ..timeutil import HELSINKI
from ..units.importer import MAX_LENGTHS, known
from ..units.problems import Problem, RosterError
from ..units.roster_files import Rows
from .answers import checked_answers

# The hour a past round is dated to on its closing day (Finnish time), as rounds close.
CLOSING_HOUR = time(16, 0)
# The unit columns a file may carry besides `code`; the rest are item codes.
UNIT_VALUES = tuple(name for name in UNIT_COLUMNS if name not in ("code", "submitted_at"))
FIRST_YEAR = 1990


@dataclass
class PastResponse:
    """One row that passed every check: a unit's answers as it submitted them."""

    row: int
    unit_id: int
    code: str
    unit: dict[str, str]  # the unit as it was for the round (the invitation's unit_*)
    language: str
    submitted_at: datetime
    answers: dict[str, list[str]]


@dataclass
class PastRound:
    """What importing the file would create, or the problems that stop it."""

    items: list[Item]
    responses: list[PastResponse] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row, message)

    def answered(self) -> list[tuple[Item, int]]:
        """Each item and how many rows answer it (the preview's numbers)."""
        return [
            (item, sum(1 for response in self.responses if item.code in response.answers))
            for item in self.items
        ]

    def fingerprint(self) -> str:
        """A digest of what would be written: the preview's and the confirmation's
        must agree."""
        rows = [
            (r.code, r.unit, r.submitted_at.isoformat(), sorted(r.answers.items()))
            for r in self.responses
        ]
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def closing_moment(day: date) -> datetime:
    """The round's deadline and closing time: 16.00 Finnish time on its closing day,
    which must have passed (Refused otherwise)."""
    if day.year < FIRST_YEAR:
        raise Refused(f"closing day: not before {FIRST_YEAR}", code="closed_at_invalid")
    moment = datetime.combine(day, CLOSING_HOUR, tzinfo=HELSINKI).astimezone(UTC)
    if moment > utcnow():
        raise Refused(
            "closing day: must be in the past (the round is dated 16.00 Finnish time on it)",
            code="closed_at_future",
        )
    return moment


def items_of(versions: list[QuestionnaireVersion]) -> list[Item]:
    """The items the round will ask, as `Round.items` orders them."""
    seen: dict[str, Item] = {}
    for version in versions:
        for item in version.questionnaire.items:
            seen.setdefault(item.code, item)
    return list(seen.values())


def header_check(items: list[Item]):
    """The file's header: `code`, the export's unit columns, the items' codes; no
    other column, none twice (RosterError names them)."""
    known = ("code", *UNIT_VALUES, "submitted_at", *(item.code for item in items))

    def check(header: list[str]) -> None:
        problems = []
        if "code" not in header:
            problems.append(Problem("missing_columns", row=1, params={"columns": "code"}))
        unknown = [name for name in header if name and name not in known]
        if unknown:
            problems.append(
                Problem("unknown_columns", row=1, params={"columns": ", ".join(unknown)})
            )
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            problems.append(
                Problem("repeated_columns", row=1, params={"columns": ", ".join(repeated)})
            )
        if problems:
            problems.append(Problem("expected_columns", params={"columns": ",".join(known)}))
            raise RosterError(problems)

    return check


def check_rows(rows: Rows, items: list[Item], closes: datetime) -> PastRound:
    """Every row checked against the roster and the items; nothing is written.
    Messages are in the current locale (the command line forces English)."""
    checked = PastRound(items=items)
    units = {unit.code: unit for unit in db.session.execute(select(*_UNIT_COLUMNS))}
    first_row: dict[str, int] = {}
    for number, values in rows:
        messages = _row_problems(number, values, units, first_row, items, closes, checked)
        checked.problems.extend((number, message) for message in messages)
    if not rows:
        checked.problems.append((1, _("The file has a header row but no units.")))
    return checked


_UNIT_COLUMNS = (
    Unit.id,
    Unit.code,
    Unit.name,
    Unit.field,
    Unit.status,
    Unit.region,
    Unit.municipality,
    Unit.language,
)


def _row_problems(number, values, units, first_row, items, closes, checked) -> list[str]:
    if "__error__" in values:
        cells = values["__error__"]
        return [
            _(
                "%(cells)d cells, but the header has %(columns)d",
                cells=cells["cells"],
                columns=cells["columns"],
            )
        ]
    messages = []
    code = values.get("code", "")
    unit = units.get(code)
    if not code:
        messages.append(_("code is empty"))
    elif unit is None:
        messages.append(_("unknown unit code %(code)s", code=code))
    elif code in first_row:
        messages.append(
            _(
                "code %(code)s is repeated (first on row %(first)d)",
                code=code,
                first=first_row[code],
            )
        )
    else:
        first_row[code] = number
    snapshot, unit_messages = _unit_as_it_was(values, unit)
    messages.extend(unit_messages)
    submitted_at, when_message = _submitted_at(values.get("submitted_at", ""), closes)
    if when_message:
        messages.append(when_message)
    answers, answer_messages = checked_answers(values, items)
    messages.extend(answer_messages)
    if not messages:
        checked.responses.append(
            PastResponse(
                row=number,
                unit_id=unit.id,
                code=code,
                unit=snapshot,
                language=unit.language,
                submitted_at=submitted_at,
                answers=answers,
            )
        )
    return messages


def _unit_as_it_was(values: dict[str, str], unit) -> tuple[dict[str, str], list[str]]:
    """The unit's name, field, region and status for the round: the file's where it
    gives them (the unit may have moved since), the roster's otherwise."""
    snapshot = {}
    messages = []
    for name in UNIT_VALUES:
        given = values.get(name, "")
        if any(ord(character) < 32 for character in given):
            messages.append(_("line break or control character in %(fields)s", fields=name))
        elif name in ("field", "region", "status") and given:
            stored = stored_value(name, given)
            if stored is None:
                messages.append(_unknown(name, given))
            given = stored or ""
        elif len(given) > MAX_LENGTHS.get(name, 300):
            messages.append(
                _(
                    "%(field)s is longer than %(limit)d characters",
                    field=name,
                    limit=MAX_LENGTHS.get(name, 300),
                )
            )
        if unit is not None:
            snapshot[name] = given or getattr(unit, name)
    if unit is not None:
        snapshot["municipality"] = unit.municipality
    return snapshot, messages


def _unknown(kind: str, given: str) -> str:
    if kind == "status":
        return _(
            'unknown status "%(value)s" (use active/preparing or varsinainen/valmisteleva)',
            value=given,
        )
    if kind == "field":
        return _(
            'unknown field "%(value)s": use one of %(known)s (or its Swedish or English name)',
            value=given,
            known=known(kind),
        )
    return _(
        'unknown region "%(value)s": use one of %(known)s (or its Swedish or English name)',
        value=given,
        known=known(kind),
    )


def _submitted_at(text: str, closes: datetime) -> tuple[datetime, str | None]:
    """When the unit submitted: the file's `submitted_at` (a date or a date and time,
    Finnish time unless it says otherwise), or the round's closing time."""
    if not text:
        return closes, None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=HELSINKI)
        moment = moment.astimezone(UTC)  # OverflowError for a year such as 0001
    except (ValueError, OverflowError):
        return closes, _(
            'submitted_at "%(value)s" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)',
            value=text[:40],
        )
    if moment.astimezone(HELSINKI).date() > closes.astimezone(HELSINKI).date():
        return closes, _('submitted_at "%(value)s" is after the round closed', value=text[:40])
    return moment, None
