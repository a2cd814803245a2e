"""A round's results as files: JSON (the contract), CSV and XLSX (one row per unit).

The CSV and XLSX rows come from one ordered SQL query over the submitted answer rows,
read in batches (`yield_per`) and grouped by response as they arrive: memory stays
flat however many responses there are (bench/export_memory.py measures it).

Every text cell that a spreadsheet could read as a formula (starting with `=`, `+`,
`-`, `@`, tab or CR) is prefixed with `'`, in CSV and XLSX alike.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from itertools import groupby

from sqlalchemy import select

from ..extensions import db
from ..models import Admin, Answer, Invitation, Response, Round, Unit
from ..questionnaires.classification import name_in
from .aggregate import criterion_items, round_results, scoped, submitted_responses

FORMATS = ("json", "csv", "xlsx")
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UNIT_COLUMNS = ["code", "name", "field", "region", "status", "submitted_at"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MULTIPLE_SEPARATOR = "; "
BATCH = 1000
BOM = "\ufeff"


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula becomes plain text."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def results_json(round_: Round, admin: Admin | None = None) -> str:
    return json.dumps(round_results(round_, admin), ensure_ascii=False, indent=2) + "\n"


def response_rows(round_: Round, admin: Admin | None = None) -> Iterator[list[str]]:
    """One list of cells per submitted response (unit columns, then one per item), in
    unit-code order. Not yet neutralised. A multiple-choice cell joins the chosen
    values in the questionnaire's option order (not the order they were posted in), so
    equal choices give equal cells.

    Two queries in the same order, both streamed in batches and read side by side: the
    responses with their unit's columns (a row each), and the answers (three columns
    a row), so the unit's columns are not read again for every answer."""
    items = round_.items
    option_order = {
        item.code: {value: n for n, value in enumerate(item.option_values())}
        for item in items
        if item.is_multiple
    }
    units = select(
        Response.id,
        Unit.code,
        Invitation.unit_name,
        Invitation.unit_field,
        Invitation.unit_region,
        Invitation.unit_status,
        Invitation.submitted_at,
    ).select_from(Response)
    answers = select(Answer.response_id, Answer.item_code, Answer.value).select_from(Answer)
    answers = answers.join(Response, Answer.response_id == Response.id)
    order = (Unit.code, Response.id)
    answer_order = (*order, Answer.item_code, Answer.position)
    with _one_snapshot() as connection:
        streamed = {"yield_per": BATCH}  # for these two statements, not the connection
        unit_rows = connection.execute(
            scoped(submitted_responses(units, round_).order_by(*order), admin),
            execution_options=streamed,
        )
        answer_rows = connection.execute(
            scoped(submitted_responses(answers, round_).order_by(*answer_order), admin),
            execution_options=streamed,
        )
        answers_of = groupby(answer_rows, key=lambda row: row[0])
        pending = next(answers_of, None)
        for response_id, code, name, field, region, status, submitted_at in unit_rows:
            chosen: dict[str, list[str]] = {}
            if pending is not None and pending[0] == response_id:
                for _response, item_code, value in pending[1]:
                    chosen.setdefault(item_code, []).append(value)
                pending = next(answers_of, None)
            yield [
                code,
                name,
                field,
                region,
                status,
                submitted_at.isoformat(timespec="seconds"),
                *(_cell(chosen.get(item.code, ()), option_order.get(item.code)) for item in items),
            ]


@contextmanager
def _one_snapshot():
    """A connection whose statements all see the data as of one moment, so that the two
    streams above are of the same responses even while units submit. SQLite's
    transaction is such a snapshot already; PostgreSQL's default (READ COMMITTED) gives
    each statement its own, so the export reads in a REPEATABLE READ transaction of
    its own."""
    if db.engine.dialect.name != "postgresql":
        yield db.session.connection()
        return
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def _cell(values, order: dict[str, int] | None) -> str:
    """One item's answer as a cell: the chosen values in the questionnaire's order."""
    if order:
        values = sorted(values, key=lambda value: order.get(value, len(order)))
    return MULTIPLE_SEPARATOR.join(values)


def csv_chunks(round_: Round, admin: Admin | None = None, rows_per_chunk: int = 200):
    """The CSV as text chunks: BOM and header first, then rows as they are read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(UNIT_COLUMNS + [item.code for item in round_.items])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for number, row in enumerate(response_rows(round_, admin), start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


@cache
def _openpyxl_cells():
    """openpyxl is a slow import: made when a workbook is asked for, once."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return WriteOnlyCell, ILLEGAL_CHARACTERS_RE


def _text_cell(sheet, value):
    """A string cell that can never be a formula (openpyxl reads a leading `=` as one)."""
    WriteOnlyCell, illegal = _openpyxl_cells()  # noqa: N806 (a class)
    if isinstance(value, str):
        value = neutralise(illegal.sub("", value))
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)


def _append(sheet, values) -> None:
    sheet.append([_text_cell(sheet, value) for value in values])


def write_xlsx(round_: Round, target, admin: Admin | None = None, language: str = "fi") -> None:
    """The workbook (responses, item summary, units) into a path or binary file, in
    openpyxl's write-only mode: rows go to a temporary file, not into memory."""
    items = round_.items
    from openpyxl import Workbook  # imported when a workbook is asked for: a slow import

    workbook = Workbook(write_only=True)

    responses = workbook.create_sheet("responses")
    _append(responses, UNIT_COLUMNS + [item.code for item in items])
    _append(responses, [""] * len(UNIT_COLUMNS) + [item.text_in(language) for item in items])
    for row in response_rows(round_, admin):
        _append(responses, row)

    results = round_results(round_, admin)
    texts = {item.code: item.text_in(language) for _criterion, item in criterion_items(round_)}
    values = list(dict.fromkeys(v for entry in results["items"] for v in entry["counts"]))
    summary = workbook.create_sheet("item summary")
    _append(
        summary,
        ["code", "criterion", "text", "answered"]
        + [name for value in values for name in (value, f"{value} %")],
    )
    for entry in results["items"]:
        numbers = [
            number
            for value in values
            for number in (entry["counts"].get(value, 0), entry["percent"].get(value, 0))
        ]
        _append(
            summary,
            [entry["code"], entry["criterion"], texts[entry["code"]], entry["answered"]] + numbers,
        )
    _append(summary, [])
    _append(summary, ["invited", results["invited"]])
    _append(summary, ["responded", results["responded"]])

    units = workbook.create_sheet("units")
    _append(units, ["by", "name", "active", "preparing"])
    for by, key in (("field", "by_field"), ("region", "by_region")):
        for name, counts in results["units"][key].items():
            shown = name_in(by, name, language)
            _append(units, [by, shown, counts.get("active", 0), counts.get("preparing", 0)])
    workbook.save(target)


def xlsx_chunks(round_: Round, admin: Admin | None = None, language: str = "fi"):
    """The workbook as bytes chunks, built in a temporary file first (a zip is written
    whole before it can be read)."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(round_, spool, admin, language)
        spool.seek(0)
        while chunk := spool.read(64 * 1024):
            yield chunk


def safe_filename(round_: Round, extension: str) -> str:
    stem = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in round_.slug
    )
    return f"{stem or 'round'}-results.{extension}"
