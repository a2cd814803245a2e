"""The composition root: every feature's blueprints and mail kinds, wired into the app.

The one module (with cli.py for the commands) that knows every feature, so that the
features need not know each other: the outbox finds each kind of mail here, the error
pages learn here which addresses answer in JSON.
"""

from flask import Flask


def register_features(app: Flask) -> None:
    from . import errors
    from .api.routes import bp as api_bp
    from .api.routes import error_response as api_error
    from .audit.routes import bp as audit_bp
    from .auth.mail import PASSWORD_RESET
    from .auth.routes import bp as auth_bp
    from .authoring.routes import bp as authoring_bp
    from .directory.routes import bp as directory_bp
    from .invitations.auto_reminders import queue_due_reminders
    from .invitations.contacts import check_contacts
    from .invitations.mail import MAIL_KINDS as INVITATION_MAIL
    from .invitations.routes import bp as dashboard_bp
    from .outbox import kinds
    from .outbox.routes import bp as outbox_bp
    from .past_rounds.routes import bp as past_rounds_bp
    from .questionnaires.classification import choices_here, classified
    from .respond.receipt import RECEIPT
    from .respond.routes import bp as respond_bp
    from .results.export_routes import bp as exports_bp
    from .results.free_text_routes import bp as free_text_bp
    from .results.report_routes import bp as results_bp
    from .rounds.routes import bp as rounds_bp
    from .units.routes import bp as units_bp

    for blueprint in (
        respond_bp,
        auth_bp,
        past_rounds_bp,
        authoring_bp,
        rounds_bp,
        dashboard_bp,
        units_bp,
        outbox_bp,
        audit_bp,
        results_bp,
        exports_bp,
        free_text_bp,
        directory_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    errors.answer_errors_under(app, api_bp.url_prefix, api_error)

    check_contacts(app)
    app.add_template_filter(classified, "classified")
    app.add_template_global(choices_here, "classification_choices")
    kinds.register(app, *INVITATION_MAIL, RECEIPT, PASSWORD_RESET)
    kinds.on_each_pass(app, queue_due_reminders)
