"""Roster import: CSV (comma or semicolon, UTF-8 with or without BOM) or XLSX.

All or nothing: every row is checked first, and a file with any bad row writes nothing.
Reading and checking write nothing; `plan.py` compares the rows with the roster, and
`import_units` (the command line) applies the plan.
"""

from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from ..models.unit import CODE_RE
from ..questionnaires.classification import classification, stored_value
from .plan import apply_plan, current_units, plan_import
from .problems import Problem, RosterError, row_lines
from .roster_files import COLUMNS, REQUIRED_COLUMNS, Rows, read_bytes, read_rows

__all__ = ["COLUMNS", "RosterError", "import_units", "read_rows", "read_bytes", "check_values"]

# Accepted before the classification named the statuses (Swedish pages said "aktiv").
LEGACY_STATUSES = {"aktiv": "active"}
LANGUAGE_ALIASES = {"": "fi", "fi": "fi", "sv": "sv", "en": "en"}
MAX_LENGTHS = {
    "name": 300,
    "field": 200,
    "region": 200,
    "municipality": 200,
    "contact_name": 200,
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def check_values(values: dict[str, str]) -> tuple[dict | None, list[Problem]]:
    """One unit's values (stripped text by column) as a normalised record, or the
    problems with them: the same rules for a file's row and the admin's form."""
    problems = []
    for name in REQUIRED_COLUMNS:
        if not values.get(name):
            problems.append(Problem("empty", fields=(name,), params={"field": name}))
    broken = tuple(name for name, value in values.items() if _has_control_characters(value))
    if broken:
        problems.append(
            Problem("control_characters", fields=broken, params={"fields": ", ".join(broken)})
        )
    code = values.get("code", "")
    if code and not CODE_RE.match(code):
        problems.append(Problem("invalid_code", fields=("code",), params={"value": code}))
    for name, limit in MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            problems.append(
                Problem("too_long", fields=(name,), params={"field": name, "limit": limit})
            )
    classified = {}
    for kind in ("field", "region"):
        raw = values.get(kind, "")
        classified[kind] = stored_value(kind, raw)
        if raw and classified[kind] is None:
            problems.append(
                Problem(
                    f"unknown_{kind}", fields=(kind,), params={"value": raw, "known": known(kind)}
                )
            )
    raw_status = values.get("status", "")
    status = stored_value("status", raw_status) or LEGACY_STATUSES.get(raw_status.lower())
    if raw_status and status is None:
        problems.append(Problem("unknown_status", fields=("status",), params={"value": raw_status}))
    raw_language = values.get("language", "")
    language = LANGUAGE_ALIASES.get(raw_language.lower())
    if language is None:
        problems.append(
            Problem("unknown_language", fields=("language",), params={"value": raw_language})
        )
    email = values.get("contact_email", "")
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems.append(
                Problem("invalid_email", fields=("contact_email",), params={"value": email})
            )
    if problems:
        return None, problems
    record = {
        "code": values["code"],
        "name": values["name"],
        "field": classified["field"],
        "status": status,
        "region": classified["region"],
        "municipality": values.get("municipality", ""),
        "contact_name": values.get("contact_name", ""),
        "contact_email": email,
        "language": language,
    }
    return record, []


def known(kind: str) -> str:
    """The classification's Finnish names of a kind, for a message."""
    return "; ".join(name for _stored, name in classification().choices(kind, "fi"))


def check_rows(rows: Rows) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Each good row as (row number, normalised record), and every problem by row."""
    checked, problems, first_seen = [], [], {}
    for number, values in rows:
        if "__error__" in values:
            problems.append(Problem("cell_count", row=number, params=values["__error__"]))
            continue
        record, found = check_values(values)
        code = values.get("code", "")
        if code and code in first_seen:
            found.append(
                Problem(
                    "duplicate_code",
                    fields=("code",),
                    params={"code": code, "first": first_seen[code]},
                )
            )
        elif code:
            first_seen[code] = number
        for problem in found:
            problem.row = number
        problems.extend(found)
        if record is not None and not found:
            checked.append((number, record))
    if not rows:
        problems.append(Problem("no_units"))
    return checked, problems


def validate_rows(rows: Rows) -> tuple[list[dict], list[str]]:
    """Normalised unit records and the list of "row N: reason" errors."""
    checked, problems = check_rows(rows)
    return [record for _number, record in checked], row_lines(problems)


def _has_control_characters(value: str) -> bool:
    """Names end up in email headers and one-line listings: no line breaks there."""
    return any(ord(character) < 32 or ord(character) == 127 for character in value)


def import_units(path: Path) -> ImportResult:
    """Upsert the file's units by code, or raise RosterError and write nothing.

    Units missing from the file are left as they are (a deactivated unit stays out;
    one the file lists again is reactivated)."""
    checked, problems = check_rows(read_rows(path))
    if problems:
        raise RosterError(row_lines(problems))
    plan = plan_import(checked, current_units())
    apply_plan(plan)
    return ImportResult(
        created=len(plan.new),
        updated=len(plan.updates),
        unchanged=len(plan.unchanged),
        codes=[record["code"] for _number, record in checked],
    )
