"""Configuration contract: booleans, secure cookies, database URLs."""

import pytest

import config as config_module
from survey_app import create_app
from tests.helpers import make_app


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("1", True),
        ("yes", True),
        ("ON", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_env_bool_reads_the_documented_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("MAIL_USE_TLS", raw)
    assert config_module.env_bool("MAIL_USE_TLS") is expected


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("MAIL_USE_TLS", "maybe")
    with pytest.raises(ValueError, match="MAIL_USE_TLS"):
        config_module.env_bool("MAIL_USE_TLS")


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://kysely.example.fi", True), ("http://localhost:5000", False)]
)
def test_session_cookie_secure_only_over_https(base_url, secure):
    app = make_app("sqlite://", BASE_URL=base_url)
    assert app.config["SESSION_COOKIE_SECURE"] is secure


def test_postgresql_urls_use_psycopg3():
    app = make_app("postgresql://u:p@localhost:5432/db")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_production_refuses_the_development_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app(
            "sqlite://", ENV_NAME="production", SECRET_KEY=config_module.DEVELOPMENT_SECRET_KEY
        )


def test_the_development_key_only_serves_localhost():
    with pytest.raises(RuntimeError, match="development key"):
        make_app(
            "sqlite://",
            ENV_NAME="development",
            SECRET_KEY=config_module.DEVELOPMENT_SECRET_KEY,
            BASE_URL="https://kysely.example.fi",
        )
    app = make_app(
        "sqlite://", ENV_NAME="development", SECRET_KEY=config_module.DEVELOPMENT_SECRET_KEY
    )
    assert app.config["BASE_URL"] == "http://localhost"


def test_an_empty_secret_key_is_refused():
    with pytest.raises(RuntimeError, match="empty"):
        make_app("sqlite://", SECRET_KEY="")


def test_the_environment_is_read_when_the_app_is_built(monkeypatch):
    """A process that changes its environment and builds another app sees the change:
    nothing is read when config.py is imported."""
    monkeypatch.setenv("REPORT_MIN_GROUP", "7")
    monkeypatch.setenv("BASE_URL", "https://kysely.example.fi/")
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["REPORT_MIN_GROUP"] == 7
    assert app.config["BASE_URL"] == "https://kysely.example.fi"
    monkeypatch.setenv("REPORT_MIN_GROUP", "3")
    again = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert again.config["REPORT_MIN_GROUP"] == 3


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(RuntimeError, match="SURVEY_APP_ENV"):
        create_app({"ENV_NAME": "staging", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


STRONG = "Zx7vQ2mL9pR4tW8yB3nC6fH1jK5sD0gA-strong-key"


@pytest.mark.parametrize(
    ("key", "fallbacks", "problem"),
    [
        (STRONG, [config_module.DEVELOPMENT_SECRET_KEY], "development or testing key"),
        (STRONG, [config_module.TESTING_SECRET_KEY], "development or testing key"),
        (STRONG, ["short-old-key"], "too short"),
        (config_module.TESTING_SECRET_KEY, [], "development or testing key"),
        ("x" * 31, [], "too short"),
    ],
)
def test_production_refuses_weak_keys_and_fallbacks(key, fallbacks, problem):
    """A fallback still verifies session cookies: the development key there would let
    anyone sign an admin's session. The message says how to make a key."""
    with pytest.raises(RuntimeError, match=problem) as refused:
        make_app("sqlite://", ENV_NAME="production", SECRET_KEY=key, SECRET_KEY_FALLBACKS=fallbacks)
    assert "secrets.token_urlsafe" in str(refused.value)


def test_production_takes_strong_keys():
    app = make_app(
        "sqlite://", ENV_NAME="production", SECRET_KEY=STRONG, SECRET_KEY_FALLBACKS=[STRONG[::-1]]
    )
    assert app.config["SECRET_KEY"] == STRONG


def test_a_production_server_with_a_development_fallback_does_not_start(tmp_path):
    """As an operator starts it: `flask` with the environment only."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SURVEY_APP_ENV": "production",
        "SECRET_KEY": STRONG,
        "SECRET_KEY_FALLBACKS": config_module.DEVELOPMENT_SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "survey_app", "routes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY_FALLBACKS" in result.stderr and "token_urlsafe" in result.stderr
