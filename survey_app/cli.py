"""Wires each feature's click group into `flask --app survey_app ...`."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from .demo import demo_command
    from .invitations.cli import invitations_cli
    from .outbox.cli import outbox_cli
    from .questionnaires.cli import questionnaires_cli
    from .rounds.cli import rounds_cli
    from .units.cli import units_cli

    for group in (units_cli, rounds_cli, invitations_cli, outbox_cli, questionnaires_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
