"""`flask questionnaires ...`: check definition files."""

from pathlib import Path

import click
from flask.cli import AppGroup

from .validation import DefinitionError, load_yaml, validate_definition

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
            click.echo(f"{path}: {len(errors)} error(s)", err=True)
            for line in errors:
                click.echo(f"  {line}", err=True)
        else:
            count = sum(len(section["items"]) for section in data["sections"])
            click.echo(f"{path}: OK ({data['key']} v{data['version']}, {count} items)")
    if failed:
        raise SystemExit(1)
