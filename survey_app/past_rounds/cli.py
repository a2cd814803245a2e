"""`flask rounds import`: a past round from a spreadsheet (wired into the `rounds`
group by survey_app/cli.py)."""

from datetime import date
from pathlib import Path

import click
from flask_babel import force_locale

from ..cli_support import fail
from ..extensions import db
from ..models import AuditEntry
from ..questionnaires.registry import DEFAULT_KEYS, questionnaire_versions
from ..questionnaires.validation import DefinitionError
from ..refusals import Refused
from ..rounds.services import check_names
from ..units.problems import RosterError
from ..units.roster_files import read_rows
from .check import check_rows, closing_moment, header_check, items_of
from .store import write_round


@click.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="The round's title (Finnish).")
@click.option("--title-sv", default="", help="Title in Swedish (optional).")
@click.option("--title-en", default="", help="Title in English (optional).")
@click.option("--closed-at", "closed_at", required=True, help="The closing day, YYYY-MM-DD.")
@click.option(
    "--questionnaire",
    "questionnaires",
    multiple=True,
    help=(
        "KEY or KEY:VERSION the round asked (repeatable); default: the current "
        f"{' and '.join(DEFAULT_KEYS)}."
    ),
)
def import_command(slug, path, title, title_sv, title_en, closed_at, questionnaires):
    """Load a past round from CSV or XLSX in the shape of `results export --format csv`
    (`code` and one column per item code; empty = not answered) as a closed round
    with one submitted response per row. Any bad row imports nothing."""
    try:
        day = date.fromisoformat(closed_at.strip())
    except ValueError:
        fail(f"--closed-at {closed_at!r} is not YYYY-MM-DD (e.g. 2008-02-15)")
    translations = {"sv": title_sv, "en": title_en}
    try:
        closes = closing_moment(day)
        check_names(slug, title, translations)
        versions = questionnaire_versions(questionnaires or DEFAULT_KEYS)
    except (Refused, DefinitionError) as error:
        fail(str(error))
    items = items_of(versions)
    try:
        rows = read_rows(path, check_header=header_check(items))
    except RosterError as error:
        _refuse(path, error.errors)
    with force_locale("en"):
        past = check_rows(rows, items, closes)
    if past.problems:
        _refuse(path, _row_lines(past.problems))
    try:
        round_ = write_round(
            slug, title, closes, versions, past, path.name, title_translations=translations
        )
    except Refused as error:
        fail(str(error))
    AuditEntry.record_command(
        "import past round",
        f"round {slug}",
        None,
        after={"file": path.name, "responses": len(past.responses), "closed_at": day.isoformat()},
    )
    db.session.commit()
    pinned = ", ".join(f"{v.key} v{v.version}" for v in versions)
    click.echo(
        f"Imported round {round_.slug} (closed {day.isoformat()}) from {path.name}: "
        f"{len(past.responses)} submitted responses; questionnaires: {pinned}."
    )


def _row_lines(problems: list[tuple[int, str]]) -> list[str]:
    """One line per bad row: "row N: first; second"."""
    by_row: dict[int, list[str]] = {}
    for row, message in problems:
        by_row.setdefault(row, []).append(message)
    return [f"row {row}: {'; '.join(messages)}" for row, messages in sorted(by_row.items())]


def _refuse(path: Path, lines: list[str]):
    db.session.rollback()
    click.echo(f"Error: {path.name} was not imported; nothing was changed.", err=True)
    for line in lines:
        click.echo(f"  {line}", err=True)
    raise SystemExit(1)
