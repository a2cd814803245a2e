"""`flask outbox ...`: the mail worker and bounce reports."""

import click
from flask.cli import AppGroup

from ..cli_support import fail, refusing
from ..extensions import db
from ..models.outbox import MESSAGE_KINDS
from .bounces import MailboxError, apply_bounces
from .queue import requeue_failed
from .worker import ServerUnavailable, Worker

outbox_cli = AppGroup("outbox", help="Send queued email.")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@click.option("--batch-size", default=50, show_default=True, help="Messages per connection.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks when idle.")
def work_command(once: bool, batch_size: int, poll: float) -> None:
    """Send queued mail (several workers may run at once on PostgreSQL)."""
    worker = Worker(batch_size=batch_size)
    try:
        if once:
            worker.run_once()
        else:
            worker.run_forever(poll)
    except ServerUnavailable as error:
        _say_what_was_done(worker.total)  # also what went out before the outage
        fail(str(error))
    _say_what_was_done(worker.total)


def _say_what_was_done(result) -> None:
    click.echo(
        f"Sent {result.sent} messages; {result.retried} to retry later, {result.failed} failed."
    )


@outbox_cli.command("bounces")
@click.argument("path", type=click.Path(exists=True))
def bounces_command(path: str) -> None:
    """Mark mail bounced from delivery reports in a maildir or mbox."""

    with refusing(MailboxError, OSError):
        result = apply_bounces(path)
    db.session.commit()
    click.echo(
        f"Read {result.read} messages: {result.matched} bounces matched, "
        f"{result.unmatched} unmatched, {result.ignored} ignored."
    )
    if result.matched:
        click.echo(f"Marked {result.newly_marked} messages bounced (the rest were marked before).")


@outbox_cli.command("retry")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(MESSAGE_KINDS),
    help="Only messages of this kind (repeatable); default: all.",
)
def retry_command(kinds: tuple[str, ...]) -> None:
    """Queue failed messages again (e.g. after a mail server outage)."""
    count = requeue_failed(kinds or None)
    db.session.commit()
    click.echo(f"Queued {count} failed messages again; `flask outbox work` sends them.")
