"""`flask units ...`: the roster."""

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from .importer import RosterError, import_units

units_cli = AppGroup("units", help="Manage the roster of development units.")


@units_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import units from CSV or XLSX (upsert by code; any bad row imports nothing)."""
    try:
        result = import_units(path)
    except RosterError as error:
        db.session.rollback()
        click.echo(f"Error: {path.name} was not imported; nothing was changed.", err=True)
        for line in error.errors:
            click.echo(f"  {line}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(
        f"Imported {len(result.codes)} units from {path.name}: {result.created} new, "
        f"{result.updated} updated, {result.unchanged} unchanged."
    )
