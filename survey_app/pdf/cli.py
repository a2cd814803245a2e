"""`flask pdf work`: the worker that draws large PDFs in the background."""

import click
from flask.cli import AppGroup

from .worker import work

pdf_cli = AppGroup("pdf", help="Draw PDFs in the background.")


@pdf_cli.command("work")
@click.option("--once", is_flag=True, help="Draw everything queued now, then exit.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks when idle.")
def work_command(once: bool, poll: float) -> None:
    """Draw queued PDFs (several workers may run at once on PostgreSQL)."""
    drawn = work(once, poll)
    click.echo(f"Drew {drawn} PDF files.")
