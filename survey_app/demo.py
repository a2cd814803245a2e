"""`flask demo`: a realistic roster and an open round, for trying the service."""

import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from .admin.accounts import create_admin
from .extensions import db
from .invitations.services import ensure_invitations, link_for
from .models import Admin, Round
from .models.types import utcnow
from .rounds.services import create_round, open_round
from .units.importer import import_units

DEMO_ROSTER = Path(__file__).resolve().parent / "demo_data" / "units.csv"
DEMO_SLUG = "demo-kartoitus"
DEMO_ADMIN = "demo-admin@kehy.example.fi"


@click.command("demo")
def demo_command() -> None:
    """Load the demo roster (58 units) and an open round; print a few links."""
    result = import_units(DEMO_ROSTER)
    round_ = db.session.scalar(select(Round).filter_by(slug=DEMO_SLUG))
    if round_ is None:
        deadline = (utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        round_ = create_round(
            DEMO_SLUG,
            "KEHY-kartoitus (demo)",
            deadline,
            title_translations={"sv": "KEHY-kartläggning (demo)", "en": "KEHY survey (demo)"},
        )
    if round_.effective_state() == "draft":
        open_round(round_)
    invitations, _created = ensure_invitations(round_)
    admin_password = None
    if db.session.scalar(select(Admin).filter_by(email=DEMO_ADMIN)) is None:
        admin_password = secrets.token_urlsafe(12)
        create_admin(DEMO_ADMIN, "national", None, admin_password)
    db.session.commit()
    click.echo(
        f"Demo roster: {len(result.codes)} units ({result.created} new). "
        f"Round {round_.slug} is {round_.effective_state()}."
    )
    click.echo(f"Respondent links (all: flask --app survey_app invitations links {round_.slug}):")
    by_language = {}
    for invitation in invitations:
        by_language.setdefault(invitation.unit.language, invitation)
    samples = [*by_language.values(), *invitations[1:3]]
    for invitation in dict.fromkeys(samples):
        unit = invitation.unit
        click.echo(f"  [{unit.language}] {unit.name}: {link_for(invitation)}")
    if admin_password:
        click.echo(
            f"Admin pages: {current_app.config['BASE_URL']}/admin/ as {DEMO_ADMIN}, "
            f"password {admin_password} (shown once)"
        )
    if not current_app.config.get("MAIL_SERVER"):
        folder = Path(current_app.instance_path) / "mail"
        click.echo(
            "Email: with no MAIL_SERVER set, `flask --app survey_app invitations send "
            f"{round_.slug}` and `flask --app survey_app outbox work --once` write each "
            f"message as an .eml file in {folder}"
        )
