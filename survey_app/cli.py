"""Wires each feature's click group into `flask --app survey_app ...`."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from .auth.cli import admins_cli
    from .demo import demo_command
    from .invitations.cli import invitations_cli
    from .outbox.cli import outbox_cli
    from .past_rounds.cli import import_command as import_round_command
    from .pdf.cli import pdf_cli
    from .questionnaires.cli import questionnaires_cli
    from .results.cli import results_cli
    from .rounds.cli import rounds_cli
    from .units.cli import units_cli

    groups = (
        units_cli,
        rounds_cli,
        invitations_cli,
        outbox_cli,
        pdf_cli,
        questionnaires_cli,
        admins_cli,
        results_cli,
    )
    rounds_cli.add_command(import_round_command)
    for group in groups:
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
