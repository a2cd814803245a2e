"""Roster import: CSV (comma or semicolon, UTF-8 with or without BOM) or XLSX.

All or nothing: every row is checked first, and a file with any bad row writes nothing.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..extensions import db
from ..models import Unit

COLUMNS = (
    "code",
    "name",
    "field",
    "status",
    "region",
    "municipality",
    "contact_name",
    "contact_email",
    "language",
)
REQUIRED_COLUMNS = ("code", "name", "field", "status", "region", "contact_email")
STATUS_ALIASES = {
    "active": "active",
    "varsinainen": "active",
    "aktiv": "active",
    "preparing": "preparing",
    "valmisteleva": "preparing",
    "förberedande": "preparing",
}
LANGUAGE_ALIASES = {"": "fi", "fi": "fi", "sv": "sv", "en": "en"}
MAX_LENGTHS = {
    "code": 64,
    "name": 300,
    "field": 200,
    "region": 200,
    "municipality": 200,
    "contact_name": 200,
}


class RosterError(ValueError):
    """The file cannot be imported; `errors` names each problem (row number first)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number in the file, {column: text}); the header is row 1."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return _read_csv(path.read_bytes())


def _read_csv(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError([f"the file is not UTF-8 text (byte {exc.start})"]) from None
    if not text.strip():
        raise RosterError(["the file is empty: expected a header row"])
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = list(reader)
    header = [cell.strip().lower() for cell in records[0]]
    _check_header(header)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            rows.append((number, {"__error__": f"{len(record)} cells, header has {len(header)}"}))
            continue
        values = {
            name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)
        }
        rows.append((number, values))
    return rows


def _read_xlsx(path: Path) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise RosterError([f"the file is not a readable XLSX workbook ({exc})"]) from None
    try:
        sheet = workbook.worksheets[0]
        records = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    if not records:
        raise RosterError(["the file is empty: expected a header row"])
    header = [str(cell).strip().lower() if cell is not None else "" for cell in records[0]]
    _check_header(header)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = ["" if cell is None else str(cell).strip() for cell in record]
        if not any(cells):
            continue
        values = {
            name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name
        }
        rows.append((number, values))
    return rows


def _check_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name and name not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"row 1: missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"row 1: unknown column(s): {', '.join(unknown)}")
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        problems.append(f"row 1: repeated column(s): {', '.join(duplicated)}")
    if problems:
        problems.append(f"expected columns: {','.join(COLUMNS)}")
        raise RosterError(problems)


def validate_rows(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[dict], list[str]]:
    """Normalised unit records and the list of "row N: reason" errors."""
    records, errors, first_seen = [], [], {}
    for number, values in rows:
        if "__error__" in values:
            errors.append(f"row {number}: {values['__error__']}")
            continue
        problems = []
        for name in REQUIRED_COLUMNS:
            if not values.get(name):
                problems.append(f"{name} is empty")
        broken = [name for name, value in values.items() if _has_control_characters(value)]
        if broken:
            problems.append(f"line break or control character in {', '.join(broken)}")
        for name, limit in MAX_LENGTHS.items():
            if len(values.get(name, "")) > limit:
                problems.append(f"{name} is longer than {limit} characters")
        code = values.get("code", "")
        if code and code in first_seen:
            problems.append(f"duplicate code {code!r} (first on row {first_seen[code]})")
        elif code:
            first_seen[code] = number
        raw_status = values.get("status", "")
        status = STATUS_ALIASES.get(raw_status.lower())
        if raw_status and status is None:
            problems.append(
                f"unknown status {raw_status!r} (use active/preparing or varsinainen/valmisteleva)"
            )
        raw_language = values.get("language", "")
        language = LANGUAGE_ALIASES.get(raw_language.lower())
        if language is None:
            problems.append(f"unknown language {raw_language!r} (use fi, sv or en)")
        email = values.get("contact_email", "")
        if email:
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError:
                problems.append(f"invalid contact_email {email!r}")
        if problems:
            errors.append(f"row {number}: {'; '.join(problems)}")
            continue
        records.append(
            {
                "code": code,
                "name": values["name"],
                "field": values["field"],
                "status": status,
                "region": values["region"],
                "municipality": values.get("municipality", ""),
                "contact_name": values.get("contact_name", ""),
                "contact_email": email,
                "language": language,
            }
        )
    if not rows:
        errors.append("the file has a header but no units")
    return records, errors


def _has_control_characters(value: str) -> bool:
    """Names end up in email headers and one-line listings: no line breaks there."""
    return any(ord(character) < 32 or ord(character) == 127 for character in value)


def import_units(path: Path) -> ImportResult:
    """Upsert the file's units by code, or raise RosterError and write nothing."""
    records, errors = validate_rows(read_rows(path))
    if errors:
        raise RosterError(errors)
    return upsert_units(records)


def upsert_units(records: list[dict]) -> ImportResult:
    existing = {
        unit.code: unit
        for unit in db.session.scalars(
            select(Unit).where(Unit.code.in_([r["code"] for r in records]))
        )
    }
    result = ImportResult()
    for record in records:
        unit = existing.get(record["code"])
        if unit is None:
            db.session.add(Unit(**record))
            result.created += 1
        else:
            changed = any(getattr(unit, key) != value for key, value in record.items())
            if changed or unit.deactivated_at is not None:
                for key, value in record.items():
                    setattr(unit, key, value)
                unit.deactivated_at = None
                result.updated += 1
            else:
                result.unchanged += 1
        result.codes.append(record["code"])
    db.session.flush()
    return result
