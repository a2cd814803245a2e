"""`flask invitations ...`: personal links."""

import csv
import io
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..cli_support import fail, refusing
from ..extensions import db
from ..lookup import get_round
from ..refusals import Refused
from .mailing import (
    REMIND_ALL_AGAIN_AFTER_DAYS,
    ReminderRules,
    invitation_of,
    queue_invitations,
    queue_reminders,
    reissue_and_mail,
    resend_invitation,
)
from .services import (
    LinkUnavailable,
    create_missing_invitations,
    links_of_round,
    uninvited,
)
from .status import round_status
from .status_table import render_report

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
    with refusing(Refused):
        round_ = get_round(slug)
    created = create_missing_invitations(round_)
    try:
        rows = links_of_round(round_)
    except LinkUnavailable as error:
        fail(
            f"the link of unit {error} cannot be rebuilt: SECRET_KEY changed and the "
            "old key is not in SECRET_KEY_FALLBACKS."
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "contact_email", "link"])
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    if output:
        # Written beside the target first: a failed write or commit leaves no half file.
        partial = output.with_name(f".{output.name}.partial")
        try:
            partial.write_bytes(data)
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror}")
        db.session.commit()
        partial.replace(output)
    else:
        db.session.commit()
        _write_utf8_to_stdout(data)
    where = f" to {output}" if output else ""
    click.echo(f"Wrote {len(rows)} links{where} ({created} new invitations).", err=True)
    if round_.effective_state() == "closed" and (missing := uninvited(round_)):
        click.echo(
            f"The round is closed, so no invitation is made for it any more: {missing} units "
            "of the roster have none.",
            err=True,
        )


def _write_utf8_to_stdout(data: bytes) -> None:
    """UTF-8 whatever the terminal's locale says: the CSV is for other programs."""
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is not None:
        binary.write(data)
        binary.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))


@invitations_cli.command("send")
@click.argument("slug")
def send_command(slug: str):
    """Queue an invitation email for every unit of the round not mailed yet."""
    with refusing(Refused):
        round_ = get_round(slug)
        queued, already = queue_invitations(round_)
    db.session.commit()
    click.echo(
        f"Queued {queued} invitations for round {slug} ({already} units mailed before); "
        "`flask outbox work` sends them."
    )


@invitations_cli.command("remind")
@click.argument("slug")
@click.option("--only-unopened", is_flag=True, help="Only units that never opened the link.")
@click.option(
    "--not-within-days",
    type=float,
    help=f"Skip units mailed within this many days (default {REMIND_ALL_AGAIN_AFTER_DAYS:g}).",
)
@click.option("--max-reminders", type=int, help="Skip units that got this many reminders.")
@click.option("--all", "everyone", is_flag=True, help="Also units mailed in the last day.")
def remind_command(slug, only_unopened, not_within_days, max_reminders, everyone):
    """Queue a reminder for every invited unit that has not submitted, except those
    mailed in the last day (as the web's "remind all" does; --all reminds them too)."""
    if everyone and not_within_days is not None:
        fail("give --all or --not-within-days, not both")
    if not_within_days is None and not everyone:
        not_within_days = REMIND_ALL_AGAIN_AFTER_DAYS
    rules = ReminderRules(only_unopened, not_within_days, max_reminders)
    with refusing(Refused):
        round_ = get_round(slug)
        queued = queue_reminders(round_, rules)
    db.session.commit()
    click.echo(f"Queued {queued} reminders for round {slug}; `flask outbox work` sends them.")


@invitations_cli.command("status")
@click.argument("slug")
def status_command(slug: str):
    """Show each unit's mail, link and response state, with totals."""
    with refusing(Refused):
        round_ = get_round(slug)
    click.echo(render_report(round_status(round_)))


@invitations_cli.command("reissue")
@click.argument("slug")
@click.argument("code")
@click.option("--no-mail", is_flag=True, help="Only make the new link; mail nothing.")
def reissue_command(slug: str, code: str, no_mail: bool):
    """Give a unit a new link (the old one stops working) and mail it."""
    with refusing(Refused):
        invitation = invitation_of(get_round(slug), code)
        token = reissue_and_mail(invitation, mail=not no_mail)
    db.session.commit()
    if no_mail:
        mailed = f"not mailed; the new link: {current_app.config['BASE_URL']}/r/{token}"
    else:
        mailed = f"queued to {invitation.unit.contact_email}"
    click.echo(
        f"Re-issued the link of unit {code} in round {slug}; the old link is dead ({mailed})."
    )


@invitations_cli.command("resend")
@click.argument("slug")
@click.argument("code")
def resend_command(slug: str, code: str):
    """Mail a unit's invitation again, to its current contact address."""
    with refusing(Refused):
        invitation = invitation_of(get_round(slug), code)
        resend_invitation(invitation)
    db.session.commit()
    click.echo(f"Queued the invitation of unit {code} to {invitation.unit.contact_email}.")
