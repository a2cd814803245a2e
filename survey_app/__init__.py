"""survey_app: survey rounds for social-welfare development units.

`create_app()` is the WSGI factory; nothing is bound at import time.
"""

import gc
import os
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, g

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def create_app(config: dict | str | None = None) -> Flask:
    """Build the app.

    `config` is an environment name ("development", "testing", "production") or a
    mapping of settings applied on top of one (named by its "ENV_NAME" key, else by
    SURVEY_APP_ENV, else development). The environment is read here, at every call.
    """
    with _no_garbage_collection():
        return _build_app(config)


@contextmanager
def _no_garbage_collection():
    """The app's first build imports most of the service and its libraries, making
    hundreds of thousands of objects that live as long as the process: the collector,
    run again and again as they grew, took a sixth of each command's start (issue 13).
    It runs again once the app is built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_app(config: dict | str | None) -> Flask:
    import config as config_module

    from . import cli, errors, formatting, i18n, logging_filters, security
    from .database import configure_database
    from .extensions import csrf, db, mail, migrate
    from .features import register_features

    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        instance_path=str(REPO_ROOT / "instance"),
    )
    if isinstance(config, str):
        env_name = config
    elif isinstance(config, dict) and "ENV_NAME" in config:
        env_name = config["ENV_NAME"]
    else:
        env_name = os.environ.get("SURVEY_APP_ENV", "development")
    app.config.update(config_module.settings(env_name))
    if isinstance(config, dict):
        app.config.update(config)
    config_module.finalize(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    @app.before_request
    def start_with_a_clean_g():
        """Per-request state lives on `g` (login, CSRF token, locale). A request that
        shares an app context with earlier ones (the test client inside a pushed
        context) must not inherit theirs, as a fresh request would not."""
        for name in list(vars(g)):
            delattr(g, name)

    configure_database(app)
    from . import models  # noqa: F401  (registers the tables on the metadata)

    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)
    mail.init_app(app)
    security.init_app(app)  # its request guard runs before the CSRF check
    csrf.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    logging_filters.init_app(app)
    errors.init_app(app)

    configure_login(app)
    register_features(app)

    @app.get("/")
    def index():
        from flask import render_template

        return render_template("index.html")

    cli.register_commands(app)
    return app


def configure_login(app: Flask) -> None:
    from .auth.accounts import admin_for_session
    from .extensions import login_manager

    login_manager.init_app(app, add_context_processor=False)  # ours is lazy, below
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.login_message = None
    login_manager.user_loader(admin_for_session)

    @app.context_processor
    def current_user_when_asked():
        """Flask-Login's own processor loads the user for every template; with this
        proxy, only a template that asks (the admin pages') does. A respondent's page
        never asks, yet loading found its session (a CSRF token, no login) "tampered"
        under strong protection, and every visit wrote the cookie anew."""
        from flask_login import current_user

        return {"current_user": current_user}
