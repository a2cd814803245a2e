"""Fixtures: app, client, runner and db on SQLite and PostgreSQL; smtp and mail_app.

Every test that uses `app` runs once per database in SURVEY_TEST_DATABASES
(default: sqlite,postgresql). The schema comes from the migrations, never from
create_all, so the tests also prove the migrations work.
"""

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from survey_app.extensions import db as _db
from tests.helpers import mail_settings, make_app
from tests.pg_server import PostgresServer
from tests.smtp_sink import SmtpSink

DATABASES = [
    name.strip()
    for name in os.environ.get("SURVEY_TEST_DATABASES", "sqlite,postgresql").split(",")
    if name.strip()
]


@pytest.fixture(scope="session")
def postgres():
    if "postgresql" not in DATABASES:
        yield None
        return
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file that each test copies (faster than migrating per test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    app = make_app(f"sqlite:///{path}")
    _upgrade(app)
    with app.app_context():
        _db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(postgres):
    if postgres is None:
        return None
    url = postgres.create_database("survey_test")
    app = make_app(url)
    _upgrade(app)
    with app.app_context():
        _db.engine.dispose()
    return url


def _upgrade(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    _truncate_postgres(url)


@pytest.fixture
def postgresql_url(postgres_url):
    """The test database on PostgreSQL, for what only it can show (row locks held by
    one connection against another); skipped in a run without PostgreSQL."""
    if postgres_url is None:
        pytest.skip("needs PostgreSQL (SURVEY_TEST_DATABASES=postgresql)")
    yield postgres_url
    _truncate_postgres(postgres_url)


def _truncate_postgres(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        tables = [table.name for table in _db.metadata.sorted_tables]
        _db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        _db.session.commit()
        _db.engine.dispose()


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def smtp():
    """A real SMTP server on a local port that keeps what it receives."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_app(database_url, smtp):
    """The app configured to mail through the `smtp` sink (see helpers.mail_settings)."""
    app = make_app(database_url, **mail_settings(smtp))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def data_dir():
    return Path(__file__).parent / "data"
