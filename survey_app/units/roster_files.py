"""Reading a roster file into rows: CSV (comma or semicolon, UTF-8 with or without
BOM) or XLSX, with the header checked, and a workbook bounded by its size before any
cell of it is read. Checking the rows' values is importer.py's."""

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from .plan import FIELDS
from .problems import Problem, RosterError

COLUMNS = ("code", *FIELDS)
REQUIRED_COLUMNS = ("code", "name", "field", "status", "region", "contact_email")
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
HeaderCheck = Callable[[list[str]], None]


def read_rows(path: Path, check_header: HeaderCheck | None = None) -> Rows:
    """Rows as (row number in the file, {column: text}); the header is row 1."""
    return read_bytes(path.name, path.read_bytes(), check_header)


def read_bytes(name: str, raw: bytes, check_header: HeaderCheck | None = None) -> Rows:
    """The same from a file's name (its suffix picks XLSX or CSV) and its bytes.
    `check_header` raises RosterError for a header the caller cannot read (the
    roster's columns by default); a past round's file has columns of its own."""
    check_header = check_header or _check_header
    if Path(name).suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(raw, check_header)
    return _read_csv(raw, check_header)


def _read_csv(raw: bytes, check_header: HeaderCheck) -> Rows:
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
    check_header(header)
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


def _read_xlsx(raw: bytes, check_header: HeaderCheck) -> Rows:
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
        check_header(header)
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
