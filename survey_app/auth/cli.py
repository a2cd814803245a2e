"""`flask admins ...`: admin accounts and API tokens."""

import sys

import click
from flask.cli import AppGroup

from ..cli_support import fail, refusing
from ..extensions import db
from .accounts import AccountError, create_admin, get_admin, issue_api_token, revoke_api_tokens

admins_cli = AppGroup("admins", help="Admin accounts and API tokens.")


@admins_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["national", "regional"]), required=True)
@click.option("--region", help="The competence-centre region (regional admins).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(email: str, role: str, region: str | None, password_stdin: bool):
    """Create an admin (national: every unit; regional: one region's units)."""
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    with refusing(AccountError):
        admin = create_admin(email, role, region, password)
    db.session.commit()
    scope = f"region {admin.region}" if admin.region else "every region"
    click.echo(f"Created {admin.role} admin {admin.email} ({scope}).")


@admins_cli.command("token")
@click.argument("email")
def token_command(email: str):
    """Print a new API token for the admin (shown once; stored only as a hash)."""
    with refusing(AccountError):
        token = issue_api_token(get_admin(email))
    db.session.commit()
    click.echo(token)


@admins_cli.command("revoke-tokens")
@click.argument("email")
def revoke_command(email: str):
    """Revoke every API token of the admin."""
    with refusing(AccountError):
        count = revoke_api_tokens(get_admin(email))
    db.session.commit()
    click.echo(f"Revoked {count} tokens of {email}.")
