"""SQLite runs in WAL mode with a busy timeout: concurrent writers wait, never fail;
pages that only read (GET) run beside them, and the few writes a GET makes run apart."""

import shutil
import threading

import pytest
from sqlalchemy import select, text

from survey_app import rate_limit
from survey_app.auth.accounts import admin_for_api_token, create_admin, issue_api_token
from survey_app.database import WriteAfterRead
from survey_app.extensions import db as _db
from survey_app.invitations.services import find_by_token
from survey_app.models import ApiToken, Invitation
from survey_app.respond.services import record_first_open
from tests.factories import make_invitation, make_unit
from tests.helpers import make_app


def test_sqlite_uses_wal_and_busy_timeout(sqlite_template, tmp_path):
    path = tmp_path / "wal.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}")
    with app.app_context(), _db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_concurrent_writers_never_see_database_is_locked(database_url):
    """Eight threads, each with its own app (as separate workers would be), write
    interleaved read-then-write transactions on one database at once."""
    errors: list[BaseException] = []
    start = threading.Barrier(8, timeout=60)
    # Built here, not in the threads: building apps is set-up, not what is tested.
    workers = [make_app(database_url) for _ in range(8)]

    def writer(number: int) -> None:
        worker = workers[number]
        try:
            with worker.app_context():
                start.wait()
                for step in range(15):
                    _db.session.execute(text("SELECT count(*) FROM units")).scalar()
                    make_unit(code=f"W{number}-{step}", contact_email=f"w{number}{step}@x.fi")
                    _db.session.commit()
                _db.session.remove()
                _db.engine.dispose()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    checker = make_app(database_url)
    with checker.app_context():
        assert _db.session.execute(text("SELECT count(*) FROM units")).scalar() == 8 * 15
        _db.session.remove()
        _db.engine.dispose()


# --- SQLite: pages that only read run side by side -----------------------------------------


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path):
    """The app on its own SQLite file, and a second app on the same file (another worker)."""
    path = tmp_path / "reading.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    # The other worker's busy timeout is short: one that waits for a lock the page holds
    # fails in a second rather than thirty.
    apps = [
        make_app(url),
        make_app(url, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 1}}),
    ]
    with apps[0].app_context():
        yield apps
        _db.session.remove()
        _db.engine.dispose()


def _another_worker_writes(other_app) -> None:
    """Another process commits a write: it must not wait for the reading page."""
    with other_app.app_context():
        make_unit(contact_email="other.worker@x.fi")
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()


def test_a_get_does_not_hold_the_write_lock(sqlite_app):
    app, other = sqlite_app
    with app.test_request_context("/", method="GET"):
        assert _db.session.execute(text("SELECT count(*) FROM units")).scalar() == 0
        _another_worker_writes(other)  # before the fix: "database is locked" after 5 s
        # The page's snapshot still reads as it began.
        assert _db.session.execute(text("SELECT count(*) FROM units")).scalar() == 0


def test_a_get_that_writes_after_reading_is_refused(sqlite_app):
    """Such a write fails whenever another worker wrote in between; refused always."""
    app, _other = sqlite_app
    with app.test_request_context("/", method="GET"):
        _db.session.execute(text("SELECT count(*) FROM units")).scalar()
        with pytest.raises(WriteAfterRead):
            make_unit()
        _db.session.rollback()


def test_a_post_reads_then_writes_in_one_transaction(sqlite_app):
    app, _other = sqlite_app
    with app.test_request_context("/", method="POST"):
        _db.session.execute(text("SELECT count(*) FROM units")).scalar()
        make_unit()
        _db.session.commit()
        assert _db.session.execute(text("SELECT count(*) FROM units")).scalar() == 1


def _first_open(app):
    invitation, path = make_invitation()
    token = path.removeprefix("/r/")
    _db.session.remove()

    def read():
        return find_by_token(token)

    def write(invitation):
        assert record_first_open(invitation)
        assert _db.session.get(Invitation, invitation.id).first_opened_at is not None

    return read, write


def _wrong_link(app):
    def read():
        return _db.session.execute(text("SELECT count(*) FROM invitations")).scalar()

    def write(_read):
        assert rate_limit.record_failure() == 1
        _db.session.commit()

    return read, write


def _api_token(app):
    admin = create_admin("api@x.fi", "national", None, "oikein-pitka-salasana")
    token = issue_api_token(admin)
    _db.session.commit()
    _db.session.remove()

    def read():
        return _db.session.execute(text("SELECT count(*) FROM invitations")).scalar()

    def write(_read):
        assert admin_for_api_token(token).email == "api@x.fi"
        _db.session.commit()
        assert _db.session.scalar(select(ApiToken.last_used_at)) is not None

    return read, write


@pytest.mark.parametrize("case", [_first_open, _wrong_link, _api_token])
def test_a_get_that_must_write_does_so_though_another_worker_wrote_meanwhile(sqlite_app, case):
    """The first open of a link, a wrong link counted and an API token's last use are
    writes made by GETs: each runs in a transaction of its own (write_apart), so another
    worker's write between the page's read and its write does not fail the page."""
    app, other = sqlite_app
    read, write = case(app)
    with app.test_request_context("/", method="GET"):
        loaded = read()
        _another_worker_writes(other)
        write(loaded)
