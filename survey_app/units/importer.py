"""Roster import: CSV (comma or semicolon, UTF-8 with or without BOM) or XLSX.

All or nothing: every row is checked first, and a file with any bad row writes nothing.
Reading and checking write nothing; `plan.py` compares the rows with the roster, and
`import_units` (the command line) applies the plan.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from ..models.unit import CODE_RE
from .plan import FIELDS, apply_plan, current_units, plan_import
from .problems import Problem, RosterError, row_lines

__all__ = ["RosterError", "import_units", "read_rows", "read_bytes", "check_values"]

COLUMNS = ("code", *FIELDS)
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
    "name": 300,
    "field": 200,
    "region": 200,
    "municipality": 200,
    "contact_name": 200,
}
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Far beyond any roster: a file past these is refused before it costs time or memory.
MAX_LINES = 100_000
MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024
# A roster has one column per field; a row of more cells is refused before it is read
# (a 50 kB workbook may hold a row of 900,000 cells that costs seconds to parse).
MAX_XLSX_COLUMNS = 100
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>")
_DIMENSION_RE = re.compile(rb'<dimension ref="[A-Z]*\d*(?::([A-Z]+)(\d+))?"')

Rows = list[tuple[int, dict[str, str]]]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def read_rows(path: Path) -> Rows:
    """Rows as (row number in the file, {column: text}); the header is row 1."""
    return read_bytes(path.name, path.read_bytes())


def read_bytes(name: str, raw: bytes) -> Rows:
    """The same from a file's name (its suffix picks XLSX or CSV) and its bytes."""
    if Path(name).suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(raw)
    return _read_csv(raw)


def _read_csv(raw: bytes) -> Rows:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError([Problem("not_utf8", params={"byte": exc.start})]) from None
    if not text.strip():
        raise RosterError([Problem("empty_file")])
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        problem = Problem("bad_csv", row=reader.line_num, params={"detail": str(exc)})
        raise RosterError([problem]) from None
    if len(records) > MAX_LINES:
        raise RosterError([Problem("too_many_rows", params={"limit": MAX_LINES})])
    header = [cell.strip().lower() for cell in records[0]]
    _check_header(header)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            problem = {"cells": len(record), "columns": len(header)}
            rows.append((number, {"__error__": problem}))
            continue
        values = {
            name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)
        }
        rows.append((number, values))
    return rows


def _check_sheet_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a sheet with more rows or wider rows than a roster can have, from its
    declared dimension and a count of its row and cell tags, before any cell is read."""
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        data = archive.read(name)
        rows = data.count(b"<row ") + data.count(b"<row>")
        declared = _DIMENSION_RE.search(data[:4096])
        if declared and declared.group(2):
            rows = max(rows, int(declared.group(2)))
            if _column_number(declared.group(1).decode()) > MAX_XLSX_COLUMNS:
                raise _too_wide()
        if rows > MAX_LINES:
            raise RosterError([Problem("too_many_rows", params={"limit": MAX_LINES})])
        for row in data.split(b"<row")[1:]:
            if sum(row.count(tag) for tag in _CELL_TAGS) > MAX_XLSX_COLUMNS:
                raise _too_wide()


def _too_wide() -> RosterError:
    return RosterError([Problem("too_many_columns", params={"limit": MAX_XLSX_COLUMNS})])


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _read_xlsx(raw: bytes) -> Rows:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED_BYTES:
                raise ValueError("too large when unpacked")
            _check_sheet_sizes(archive)
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except RosterError:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many types for a broken file
        raise RosterError([Problem("not_xlsx", params={"detail": str(exc)})]) from None
    try:
        records = iter(workbook.worksheets[0].iter_rows(values_only=True))
        first = next(records, None)
        if first is None:
            raise RosterError([Problem("empty_file")])
        header = [str(cell).strip().lower() if cell is not None else "" for cell in first]
        while header and not header[-1]:
            header.pop()  # a sheet's used range can reach far past the last column
        _check_header(header)
        rows = []
        for number, record in enumerate(records, start=2):
            if number > MAX_LINES:
                raise RosterError([Problem("too_many_rows", params={"limit": MAX_LINES})])
            cells = ["" if cell is None else str(cell).strip() for cell in record[: len(header)]]
            if not any(cells):
                continue
            values = {
                name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name
            }
            rows.append((number, values))
        return rows
    except RosterError:
        raise
    except Exception as exc:  # a workbook that opens but breaks while being read
        raise RosterError([Problem("not_xlsx", params={"detail": str(exc)})]) from None
    finally:
        workbook.close()


def _check_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name and name not in COLUMNS]
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    problems = [
        Problem(kind, row=1, params={"columns": ", ".join(names)})
        for kind, names in (
            ("missing_columns", missing),
            ("unknown_columns", unknown),
            ("repeated_columns", duplicated),
        )
        if names
    ]
    if problems:
        problems.append(Problem("expected_columns", params={"columns": ",".join(COLUMNS)}))
        raise RosterError(problems)


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
    raw_status = values.get("status", "")
    status = STATUS_ALIASES.get(raw_status.lower())
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
        "field": values["field"],
        "status": status,
        "region": values["region"],
        "municipality": values.get("municipality", ""),
        "contact_name": values.get("contact_name", ""),
        "contact_email": email,
        "language": language,
    }
    return record, []


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
