"""`flask invitations ...`: personal links."""

import csv
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..rounds.services import RoundError, get_round
from .services import LinkUnavailable, ensure_invitations, link_for

invitations_cli = AppGroup("invitations", help="Invitations and personal links.")


@invitations_cli.command("links")
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the CSV here instead of standard output.",
)
def links_command(slug: str, output: Path | None):
    """Print every unit's personal link as CSV (code,contact_email,link); sends nothing."""
    try:
        round_ = get_round(slug)
    except RoundError as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(1) from None
    invitations, created = ensure_invitations(round_)
    try:
        rows = [(inv.unit.code, inv.unit.contact_email, link_for(inv)) for inv in invitations]
    except LinkUnavailable as error:
        db.session.rollback()
        click.echo(
            f"Error: the link of unit {error} cannot be rebuilt: SECRET_KEY changed and the "
            "old key is not in SECRET_KEY_FALLBACKS.",
            err=True,
        )
        raise SystemExit(1) from None
    try:
        handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    except OSError as error:
        db.session.rollback()
        click.echo(f"Error: cannot write {output}: {error.strerror}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "contact_email", "link"])
        writer.writerows(rows)
    finally:
        if output:
            handle.close()
    where = f" to {output}" if output else ""
    click.echo(f"Wrote {len(rows)} links{where} ({created} new invitations).", err=True)
