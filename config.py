"""The settings, read from the environment when the app is built (see BRIEF.md's
Configuration contract and the README's table). Nothing is read at import: a process
that changes its environment and builds another app gets the new values."""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = REPO_ROOT / "instance"
ENVIRONMENTS = ("development", "testing", "production")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 (refused in production)
TESTING_SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105 (tests only)
# Keys anyone can read in this repository, and the shortest key production accepts.
KNOWN_KEYS = (DEVELOPMENT_SECRET_KEY, TESTING_SECRET_KEY)
MIN_PRODUCTION_KEY_LENGTH = 32
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """Read a boolean the way BRIEF.md fixes: true/false, 1/0, yes/no, on/off."""
    raw = (os.environ if environ is None else environ).get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_list(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    raw = (os.environ if environ is None else environ).get(name, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def settings(env_name: str, environ: Mapping[str, str] | None = None) -> dict:
    """Every setting of the environment `env_name`, read from `environ` (default: this
    process's environment) now."""
    if env_name not in ENVIRONMENTS:
        raise RuntimeError(f"SURVEY_APP_ENV={env_name!r}: use one of {', '.join(ENVIRONMENTS)}")
    env = os.environ if environ is None else environ

    def text(name: str, default: str | None = None) -> str | None:
        return env.get(name, default)

    def number(name: str, default: str, kind=int):
        return kind(env.get(name, default))

    production = env_name == "production"
    values = {
        "ENV_NAME": env_name,
        "PRODUCTION": production,
        "SECRET_KEY": text("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        "SECRET_KEY_FALLBACKS": env_list("SECRET_KEY_FALLBACKS", env),
        "SQLALCHEMY_DATABASE_URI": text(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'survey_app.sqlite3'}"
        ),
        # Pooled connections are checked before use so the service recovers by itself
        # after a database restart.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": text("BASE_URL", "http://localhost:5000").rstrip("/"),
        "MAIL_SERVER": text("MAIL_SERVER"),
        "MAIL_PORT": number("MAIL_PORT", "25"),
        "MAIL_USE_TLS": env_bool("MAIL_USE_TLS", False, env),
        "MAIL_USERNAME": text("MAIL_USERNAME"),
        "MAIL_PASSWORD": text("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": text("MAIL_DEFAULT_SENDER", "kartoitus@localhost"),
        # Flask-Mail would silently drop mail when TESTING; our tests use a real SMTP server.
        "MAIL_SUPPRESS_SEND": False,
        # With no MAIL_SERVER, messages are written here as .eml files (default: a folder
        # per database under instance/mail).
        "MAIL_FILE_DIR": text("MAIL_FILE_DIR"),
        # Who sends the emails and whom each region's units ask (YAML; default: the
        # shipped survey_app/invitations/contacts.yaml, which shows the shape).
        "CONTACTS_FILE": text("CONTACTS_FILE"),
        # Those files readable on the admin's outbox pages: for local use only, since they
        # hold working personal links (off in production unless set).
        "MAIL_CAPTURE_VIEW": env_bool("MAIL_CAPTURE_VIEW", not production, env),
        "BABEL_DEFAULT_LOCALE": "fi",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
        "LANGUAGES": ("fi", "sv", "en"),
        # An admin may type for hours: the CSRF token lives as long as the browser session.
        # (A respondent's form carries a key derived from its link: respond/form_key.py.)
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # A link stops working this many days after its round closed.
        "TOKEN_DAYS_AFTER_CLOSE": number("TOKEN_DAYS_AFTER_CLOSE", "365"),
        # Wrong links one client may try in ten minutes before getting 429 instead of 404.
        "LINK_FAILURE_LIMIT": number("LINK_FAILURE_LIMIT", "30"),
        # How many proxies in front of the app set X-Forwarded-For (0: none trusted).
        "PROXY_COUNT": number("PROXY_COUNT", "0"),
        # The outbox worker: claims last this long; a transient failure is retried with
        # exponential backoff (base doubling up to max, with jitter) up to max attempts.
        "OUTBOX_LEASE_SECONDS": number("OUTBOX_LEASE_SECONDS", "300"),
        "OUTBOX_MAX_ATTEMPTS": number("OUTBOX_MAX_ATTEMPTS", "8"),
        "OUTBOX_BACKOFF_SECONDS": number("OUTBOX_BACKOFF_SECONDS", "30", float),
        "OUTBOX_BACKOFF_MAX_SECONDS": number("OUTBOX_BACKOFF_MAX_SECONDS", "3600", float),
        # PDFs: a directory of more units than this is drawn by `flask pdf work` in the
        # background (about 60 ms a unit), not in the request; a worker's claim on a
        # drawing lasts this long (longer than any drawing takes).
        "PDF_INLINE_MAX_UNITS": number("PDF_INLINE_MAX_UNITS", "60"),
        "PDF_LEASE_SECONDS": number("PDF_LEASE_SECONDS", "1800"),
        # While a slot's data changes faster than its drawing takes, its file drawn in
        # this many seconds is served (it says when it was compiled).
        "PDF_RECENT_SECONDS": number("PDF_RECENT_SECONDS", "900"),
        # An admin's login lasts this long (the session cookie is signed, so workers share it).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=number("ADMIN_SESSION_HOURS", "8", float)),
        # How often an open round dashboard refreshes its numbers (by script; 0: never).
        "ADMIN_REFRESH_SECONDS": number("ADMIN_REFRESH_SECONDS", "30"),
        # The KEHY directory (profile fields only) public at /kooste; admins always see it.
        "DIRECTORY_PUBLIC": env_bool("DIRECTORY_PUBLIC", False, env),
        # The report's breakdowns show a group of fewer respondents than this as "<N".
        "REPORT_MIN_GROUP": number("REPORT_MIN_GROUP", "5"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "DEBUG": False,
    }
    if env_name == "testing":
        values.update(
            TESTING=True,
            SECRET_KEY=TESTING_SECRET_KEY,
            SQLALCHEMY_DATABASE_URI=text("TEST_DATABASE_URL", "sqlite://"),
        )
    return values


def finalize(config: dict) -> None:
    """Derive settings that depend on others, after overrides are applied."""
    key = config.get("SECRET_KEY")
    if not key:
        raise RuntimeError("SECRET_KEY is empty: set it (it signs cookies and derives links)")
    if config.get("PRODUCTION"):
        _refuse_weak_keys(config)
    local = urlsplit(config["BASE_URL"]).hostname in ("localhost", "127.0.0.1", "::1")
    if key == DEVELOPMENT_SECRET_KEY and (config.get("PRODUCTION") or not local):
        raise RuntimeError(
            "SECRET_KEY is the development key, which is public: set SECRET_KEY "
            "(the development key only serves a BASE_URL on localhost)"
        )
    config["SESSION_COOKIE_SECURE"] = config["BASE_URL"].startswith("https://")
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri[len("postgres://") :]
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    config["SQLALCHEMY_DATABASE_URI"] = uri


def _refuse_weak_keys(config: dict) -> None:
    """Production signs sessions with SECRET_KEY and still accepts every fallback: a
    key anyone can read, or a short one, would let a stranger sign an admin's session."""
    keys = [("SECRET_KEY", config["SECRET_KEY"])]
    keys += [("SECRET_KEY_FALLBACKS", key) for key in config.get("SECRET_KEY_FALLBACKS") or []]
    for name, key in keys:
        if key in KNOWN_KEYS or len(key) < MIN_PRODUCTION_KEY_LENGTH:
            problem = "a development or testing key" if key in KNOWN_KEYS else "too short"
            raise RuntimeError(
                f"{name} holds a key that is {problem}: production needs random keys of at "
                f"least {MIN_PRODUCTION_KEY_LENGTH} characters. Make one with: {MAKE_A_KEY}"
            )
