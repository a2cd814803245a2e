"""`flask results ...`: the round's results for other tools."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..cli_support import fail, refusing
from ..lookup import get_round
from ..refusals import Refused
from .exports import FORMATS, csv_chunks, results_json, write_xlsx

results_cli = AppGroup("results", help="A round's results.")


@results_cli.command("export")
@click.argument("slug")
@click.option("--format", "format_", type=click.Choice(FORMATS), required=True, help="File format.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
def export_command(slug: str, format_: str, output: Path | None):
    """Export a round's results: JSON (the results contract), CSV or XLSX (a row per
    responding unit), every unit of every region."""
    with refusing(Refused):
        round_ = get_round(slug)
    if output is None:
        if format_ == "xlsx" and sys.stdout.isatty():
            fail("an XLSX workbook is binary: write it to a file with -o PATH, or pipe it")
        target = getattr(sys.stdout, "buffer", None)
        if target is None:
            fail("standard output takes no bytes here; use -o PATH")
        _write(round_, format_, target)
        target.flush()
        return
    # Written beside the target first: a failed export leaves no half file.
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("wb") as target:
            _write(round_, format_, target)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {output}: {error.strerror}")
    click.echo(f"Wrote {output}.", err=True)


def _write(round_, format_: str, target) -> None:
    if format_ == "json":
        target.write(results_json(round_).encode("utf-8"))
    elif format_ == "csv":
        for chunk in csv_chunks(round_):
            target.write(chunk.encode("utf-8"))
    else:
        write_xlsx(round_, target)
