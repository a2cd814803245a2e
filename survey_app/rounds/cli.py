"""`flask rounds ...`: create, open and close survey rounds."""

import click
from flask.cli import AppGroup

from ..extensions import db
from ..questionnaires.registry import DEFAULT_KEYS
from ..questionnaires.validation import DefinitionError
from ..timeutil import format_local, parse_local
from .services import RoundError, close_round, create_round, get_round, open_round

rounds_cli = AppGroup("rounds", help="Create, open and close survey rounds.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(1)


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
def create_command(
    slug: str,
    title: str,
    title_sv: str,
    title_en: str,
    deadline: str,
    questionnaires: tuple[str, ...],
):
    """Create a round in draft state."""
    try:
        when = parse_local(deadline)
    except ValueError:
        _fail(f"--deadline {deadline!r} is not YYYY-MM-DDTHH:MM (e.g. 2026-12-31T16:00)")
    try:
        round_ = create_round(
            slug,
            title,
            when,
            questionnaires or DEFAULT_KEYS,
            title_translations={"sv": title_sv, "en": title_en},
        )
    except (RoundError, DefinitionError) as error:
        _fail(str(error))
    db.session.commit()
    pinned = ", ".join(f"{v.key} v{v.version}" for v in round_.questionnaire_versions)
    click.echo(
        f"Created round {slug} (draft), deadline {format_local(round_.deadline)} "
        f"Europe/Helsinki, questionnaires: {pinned}."
    )


@rounds_cli.command("open")
@click.argument("slug")
def open_command(slug: str):
    """Open a round for answers."""
    try:
        round_ = get_round(slug)
        open_round(round_)
    except RoundError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Opened round {slug}; it closes by itself at {format_local(round_.deadline)}.")


@rounds_cli.command("close")
@click.argument("slug")
def close_command(slug: str):
    """Close a round now; no answer is taken after this."""
    try:
        round_ = get_round(slug)
        close_round(round_)
    except RoundError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Closed round {slug}.")
