"""Configuration classes, read from the environment (see BRIEF.md's Configuration contract)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = REPO_ROOT / "instance"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean the way BRIEF.md fixes: true/false, 1/0, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_list(name: str) -> list[str]:
    raw = os.environ.get(name, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 (refused in production)


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'survey_app.sqlite3'}"
    )
    # Pooled connections are checked before use so the service recovers by itself
    # after a database restart.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BASE_URL = os.environ.get("BASE_URL", "http://localhost:5000").rstrip("/")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "kartoitus@localhost")
    # Flask-Mail would silently drop mail when TESTING; our tests use a real SMTP server.
    MAIL_SUPPRESS_SEND = False
    # With no MAIL_SERVER, messages are written here as .eml files (default: instance/mail).
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR")
    # Those files readable on the admin's outbox pages: for local use only, since they
    # hold working personal links (off in production unless set).
    MAIL_CAPTURE_VIEW = env_bool("MAIL_CAPTURE_VIEW", True)

    BABEL_DEFAULT_LOCALE = "fi"
    BABEL_DEFAULT_TIMEZONE = "Europe/Helsinki"
    LANGUAGES = ("fi", "sv", "en")

    # A person may type for hours: the CSRF token lives as long as the browser session.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # A link stops working this many days after its round closed.
    TOKEN_DAYS_AFTER_CLOSE = int(os.environ.get("TOKEN_DAYS_AFTER_CLOSE", "365"))

    # Wrong links one client may try in ten minutes before getting 429 instead of 404.
    LINK_FAILURE_LIMIT = int(os.environ.get("LINK_FAILURE_LIMIT", "30"))
    # How many proxies in front of the app set X-Forwarded-For (0: none trusted).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    # The outbox worker: claims last this long; a transient failure is retried with
    # exponential backoff (base doubling up to max, with jitter) up to max attempts.
    OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
    OUTBOX_BACKOFF_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_SECONDS", "30"))
    OUTBOX_BACKOFF_MAX_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", "3600"))

    # An admin's login lasts this long (the session cookie is signed, so workers share it).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=float(os.environ.get("ADMIN_SESSION_HOURS", "8")))

    # How often an open round dashboard refreshes its numbers (by script; 0: never).
    ADMIN_REFRESH_SECONDS = int(os.environ.get("ADMIN_REFRESH_SECONDS", "30"))

    # The KEHY directory (profile fields only) public at /kooste; admins always see it.
    DIRECTORY_PUBLIC = env_bool("DIRECTORY_PUBLIC", False)

    # The report's breakdowns show a group of fewer respondents than this as "<N".
    REPORT_MIN_GROUP = int(os.environ.get("REPORT_MIN_GROUP", "5"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")


class ProductionConfig(Config):
    PRODUCTION = True
    MAIL_CAPTURE_VIEW = env_bool("MAIL_CAPTURE_VIEW", False)


def finalize(config: dict) -> None:
    """Derive settings that depend on others, after overrides are applied."""
    key = config.get("SECRET_KEY")
    if not key:
        raise RuntimeError("SECRET_KEY is empty: set it (it signs cookies and derives links)")
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


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
