"""`flask rounds ...`: create, open and close survey rounds; their reminders and texts."""

import click
from flask.cli import AppGroup

from ..cli_support import fail
from ..extensions import db
from ..invitations.auto_reminders import reminder_schedule
from ..invitations.email_texts import (
    KINDS,
    LANGUAGES,
    EmailTextError,
    clear_email_text,
    set_email_text,
)
from ..lookup import get_round
from ..questionnaires.registry import DEFAULT_KEYS
from ..questionnaires.validation import DefinitionError
from ..refusals import Refused
from ..timeutil import format_local, parse_local
from .services import (
    close_round,
    create_round,
    open_round,
    set_reminder_days,
)

rounds_cli = AppGroup("rounds", help="Create, open and close survey rounds.")


@rounds_cli.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="Title shown to respondents (Finnish).")
@click.option("--title-sv", default="", help="Title in Swedish (optional).")
@click.option("--title-en", default="", help="Title in English (optional).")
@click.option("--deadline", required=True, help="YYYY-MM-DDTHH:MM, Finnish time.")
@click.option(
    "--questionnaire",
    "questionnaires",
    multiple=True,
    help=f"Questionnaire key (repeatable); default: {' and '.join(DEFAULT_KEYS)}.",
)
@click.option(
    "--remind-days",
    type=int,
    multiple=True,
    help="Queue reminders this many days before the deadline (repeatable).",
)
def create_command(
    slug: str,
    title: str,
    title_sv: str,
    title_en: str,
    deadline: str,
    questionnaires: tuple[str, ...],
    remind_days: tuple[int, ...],
):
    """Create a round in draft state."""
    try:
        when = parse_local(deadline)
    except (ValueError, OverflowError):  # OverflowError: a year such as 0001
        fail(f"--deadline {deadline!r} is not YYYY-MM-DDTHH:MM (e.g. 2026-12-31T16:00)")
    try:
        round_ = create_round(
            slug,
            title,
            when,
            questionnaires or DEFAULT_KEYS,
            title_translations={"sv": title_sv, "en": title_en},
            reminder_days=remind_days,
        )
    except (Refused, DefinitionError) as error:
        fail(str(error))
    db.session.commit()
    pinned = ", ".join(f"{v.key} v{v.version}" for v in round_.questionnaire_versions)
    click.echo(
        f"Created round {slug} (draft), deadline {format_local(round_.deadline)} "
        f"Europe/Helsinki, questionnaires: {pinned}."
    )
    if round_.reminder_days:
        _echo_schedule(round_)


@rounds_cli.command("open")
@click.argument("slug")
def open_command(slug: str):
    """Open a round for answers."""
    try:
        round_ = get_round(slug)
        open_round(round_)
    except Refused as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"Opened round {slug}; it closes by itself at {format_local(round_.deadline)}.")


@rounds_cli.command("close")
@click.argument("slug")
def close_command(slug: str):
    """Close a round now; no answer is taken after this."""
    try:
        round_ = get_round(slug)
        close_round(round_)
    except Refused as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"Closed round {slug}.")


@rounds_cli.command("reminders")
@click.argument("slug")
@click.option("--days", type=int, multiple=True, help="Days before the deadline (repeatable).")
@click.option("--none", "no_reminders", is_flag=True, help="No automatic reminders.")
def reminders_command(slug: str, days: tuple[int, ...], no_reminders: bool):
    """Set on which days before the deadline `outbox work` queues reminders (to every
    invited unit that has not submitted); without options, show them."""
    if days and no_reminders:
        fail("give --days or --none, not both")
    try:
        round_ = get_round(slug)
        if days or no_reminders:
            set_reminder_days(round_, days)
    except Refused as error:
        fail(str(error))
    db.session.commit()
    _echo_schedule(round_)


def _echo_schedule(round_) -> None:
    schedule = reminder_schedule(round_)
    if not schedule:
        click.echo(f"Round {round_.slug} has no automatic reminders.")
        return
    click.echo(
        f"Automatic reminders of round {round_.slug} (Finnish time; deadline "
        f"{format_local(round_.deadline)}):"
    )
    for days, moment, status in schedule:
        click.echo(f"  {days} days before: {format_local(moment)}, {status}")


@rounds_cli.command("email-text")
@click.argument("slug")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Which message.")
@click.option("--language", type=click.Choice(LANGUAGES), required=True, help="Its language.")
@click.option("--subject", help="The subject line (placeholders allowed, not {link}).")
@click.option(
    "--body-file",
    type=click.File("r", encoding="utf-8-sig"),
    help="The body, plain text in UTF-8 ('-' reads standard input); must contain {link}.",
)
@click.option("--clear", is_flag=True, help="Use the standard text again.")
def email_text_command(slug, kind, language, subject, body_file, clear):
    """Give a round its own invitation or reminder text for one language.

    Placeholders: {unit_name}, {contact_name}, {round_title}, {deadline}, {link};
    write {{ and }} for literal braces.
    """
    if clear and (subject is not None or body_file is not None):
        fail("give --clear alone, or --subject and --body-file")
    if not clear and (subject is None or body_file is None):
        fail("give both --subject and --body-file (or --clear)")
    try:
        round_ = get_round(slug)
        if clear:
            changed = clear_email_text(round_, kind, language)
        else:
            try:
                body = body_file.read()
            except UnicodeDecodeError:
                fail(f"--body-file {body_file.name}: not UTF-8 text")
            set_email_text(round_, kind, language, subject, body)
    except (Refused, EmailTextError) as error:
        fail(str(error))
    db.session.commit()
    if not clear:
        click.echo(
            f"Saved the {kind} text ({language}) of round {slug}; messages sent from now on use it."
        )
    elif changed:
        click.echo(
            f"Cleared the {kind} text ({language}) of round {slug}; the standard text "
            "is used again."
        )
    else:
        click.echo(f"Round {slug} had no {kind} text ({language}) of its own.")
