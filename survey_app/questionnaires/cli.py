"""`flask questionnaires ...`: check definition files, list the stored versions,
export one, publish a new one (BRIEF.md: "Questionnaire versions")."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import AuditEntry, QuestionnaireVersion
from .changes import Changes, compare
from .files import FORMATS, definition_as_file, definition_from_file
from .registry import newest_version, publish, version_of
from .validation import MAX_VERSION, DefinitionError, load_yaml, validate_definition

questionnaires_cli = AppGroup("questionnaires", help="Questionnaire definitions.")


@questionnaires_cli.command("check")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def check_command(paths: tuple[Path, ...]):
    """Validate definition files; name every error with its place."""
    failed = False
    for path in paths:
        try:
            data = load_yaml(path.read_text(encoding="utf-8"), source=str(path))
            errors = validate_definition(data)
        except DefinitionError as error:
            errors = error.errors
        except UnicodeDecodeError:
            errors = ["the file is not UTF-8 text"]
        if errors:
            failed = True
            _echo_errors(path, errors)
        else:
            count = sum(len(section["items"]) for section in data["sections"])
            click.echo(f"{path}: OK ({data['key']} v{data['version']}, {count} items)")
    if failed:
        raise SystemExit(1)


@questionnaires_cli.command("list")
def list_command():
    """The stored versions, newest last (a round pins one of them)."""
    rows = db.session.execute(
        select(
            QuestionnaireVersion.key, QuestionnaireVersion.version, QuestionnaireVersion.created_at
        ).order_by(QuestionnaireVersion.key, QuestionnaireVersion.version)
    )
    for key, version, created in rows:
        click.echo(f"{key} v{version}  stored {created:%Y-%m-%d %H:%M} UTC")


@questionnaires_cli.command("export")
@click.argument("key")
@click.option(
    "--version", "number", type=click.IntRange(1, MAX_VERSION), help="The newest by default."
)
@click.option("--format", "file_format", type=click.Choice(FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(key: str, number: int | None, file_format: str, output: Path):
    """Write a stored version as a spreadsheet (XLSForm) or YAML, to edit and publish."""
    try:
        version = newest_version(key) if number is None else version_of(key, number)
        db.session.commit()  # a shipped file may have been stored just now
    except DefinitionError as error:
        _echo_errors(Path(key), error.errors)
        raise SystemExit(1) from None
    if version is None:
        click.echo(f"No questionnaire {key!r}" + (f" v{number}" if number else ""), err=True)
        raise SystemExit(1)
    output.write_bytes(definition_as_file(version.definition, file_format))
    click.echo(f"Wrote {key} v{version.version} to {output}")


@questionnaires_cli.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def publish_command(path: Path):
    """Store a YAML or XLSX file as its questionnaire's next version. A file with any
    error stores nothing; one that asks what the newest version asks is that version."""
    try:
        publication = publish(definition_from_file(path.name, path.read_bytes()))
        version = publication.version
        if publication.stored:
            AuditEntry.record_command(
                "publish questionnaire",
                f"{version.key} v{version.version}",
                None,
                after={"file": path.name},
            )
        db.session.commit()
    except DefinitionError as error:
        db.session.rollback()
        _echo_errors(path, error.errors)
        raise SystemExit(1) from None
    except IntegrityError:
        db.session.rollback()
        click.echo(f"{path}: another version was published at the same moment; run again.")
        raise SystemExit(1) from None
    if not publication.stored:
        click.echo(f"{path}: {version.key} v{version.version} asks exactly this; nothing stored.")
        return
    click.echo(f"Published {version.key} v{version.version} from {path}.")
    replaced = publication.replaced
    old = replaced.questionnaire if replaced is not None else None
    for line in describe(compare(old, version.questionnaire)):
        click.echo(f"  {line}")


def describe(changes: Changes) -> list[str]:
    """The changes in a few lines of English, with what breaks comparison first."""
    lines = [
        f"{change.new.code}: other options than before; the report will say it changed "
        "instead of comparing it with earlier rounds"
        for change in changes.incomparable
    ]
    lines += [
        f"{item.code}: removed (earlier rounds' reports still show it)" for item in changes.removed
    ]
    lines += [f"{item.code}: new" for item in changes.added]
    lines += [
        f"{change.new.code}: reworded ({', '.join(change.languages)})"
        for change in changes.reworded
    ]
    lines += [
        f"{change.new.code}: option labels changed"
        for change in changes.options
        if change.comparable
    ]
    lines += [f"{new.code}: rules changed (required, limits)" for _old, new in changes.rules]
    lines += [f"{name}: heading or setting changed" for name in changes.headings]
    lines += ["questions in another order or section"] if changes.moved else []
    return lines or ["no change in what is asked"]


def _echo_errors(path: Path, errors: list[str]) -> None:
    click.echo(f"{path}: {len(errors)} error(s)", err=True)
    for line in errors:
        click.echo(f"  {line}", err=True)
