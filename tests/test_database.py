"""SQLite runs in WAL mode with a busy timeout: concurrent writers wait, never fail;
pages that only read (GET) run beside them, and the few writes a GET makes run apart."""

import fcntl
import os
import shutil
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text, update

from survey_app import rate_limit
from survey_app.auth.accounts import admin_for_api_token, create_admin, issue_api_token
from survey_app.database import WriteAfterRead, only_reading
from survey_app.extensions import db as _db
from survey_app.invitations.services import find_by_token
from survey_app.models import ApiToken, Invitation, Response, Round
from survey_app.models.types import utcnow
from survey_app.respond.services import record_first_open
from tests.factories import make_invitation, make_unit
from tests.helpers import form_fields, make_app


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


def test_work_outside_a_request_that_only_reads_does_not_hold_the_write_lock(sqlite_app):
    app, other = sqlite_app
    with only_reading():
        assert _db.session.execute(text("SELECT count(*) FROM units")).scalar() == 0
        _another_worker_writes(other)  # a writer's BEGIN IMMEDIATE: "database is locked"
        assert _db.session.execute(text("SELECT count(*) FROM units")).scalar() == 0
        with pytest.raises(WriteAfterRead):
            make_unit()
        _db.session.rollback()


def test_the_outbox_reads_its_next_messages_without_the_write_lock(sqlite_app):
    """Rendering a few messages takes a while: respondents' saves must not wait for it."""
    from survey_app.outbox.delivery import prepare_many

    begun = []

    def record(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            begun.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        assert prepare_many([1, 2]) == {}
        _db.session.execute(text("SELECT 1"))  # the next transaction writes, as before
        _db.session.rollback()
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)
    assert begun == ["BEGIN", "BEGIN IMMEDIATE"]


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


# --- SQLite: the respondent's submit holds the write lock only while it saves ---------------


def _grant_late_answers(invitation_id, round_id):
    return update(Invitation).where(Invitation.id == invitation_id).values(late_until=LATE)


def _close_the_round(invitation_id, round_id):
    return update(Round).where(Round.id == round_id).values(state="closed", closed_at=utcnow())


def _reissue_the_link(invitation_id, round_id):
    return update(Invitation).where(Invitation.id == invitation_id).values(token_hash="0" * 64)


LATE = utcnow().replace(microsecond=0) + timedelta(days=3)


@pytest.mark.parametrize(
    ("change", "status", "submitted"),
    [
        (_grant_late_answers, 303, True),
        (_close_the_round, 403, False),
        (_reissue_the_link, 404, False),
    ],
)
def test_a_submit_reads_without_the_write_lock_and_saves_on_what_it_reads_afresh(
    sqlite_app, change, status, submitted
):
    """Between the submit's first read (its link) and its save, another worker writes:
    it must not wait for the submit (as it did when a POST took the write lock at its
    first statement), and the save goes by what it reads under the lock, not by what it
    read before: a late permission granted meanwhile is kept; a close made meanwhile
    refuses the submit, and a link re-issued meanwhile opens nothing: nothing stored."""
    app, other = sqlite_app
    invitation, link = make_invitation()
    _db.session.commit()
    invitation_id, round_id = invitation.id, invitation.round_id
    client = app.test_client()
    fields = form_fields(client.get(link).get_data(as_text=True))
    wrote = []

    def another_worker_writes_after_the_link_is_read(_conn, _cursor, statement, *_args):
        if "FROM invitations" in statement and "token_hash" in statement and not wrote:
            with other.app_context():
                _db.session.execute(change(invitation_id, round_id))
                _db.session.commit()
                _db.session.remove()
                _db.engine.dispose()
            wrote.append(True)

    event.listen(_db.engine, "after_cursor_execute", another_worker_writes_after_the_link_is_read)
    try:
        done = client.post(link, data={**fields, "action": "submit", "kehy_name": "Nimi"})
    finally:
        event.remove(
            _db.engine, "after_cursor_execute", another_worker_writes_after_the_link_is_read
        )
    assert wrote and done.status_code == status, done.get_data(as_text=True)[:300]
    _db.session.remove()
    stored = _db.session.get(Invitation, invitation_id)
    assert (stored.submitted_at is not None) is submitted
    assert _db.session.scalar(select(func.count()).select_from(Response)) == int(submitted)
    if change is _grant_late_answers:
        assert stored.late_until == LATE


def _held(queue) -> bool:
    """Whether a writer holds this worker's lock: its threads' lock, and the lock that
    keeps the server's worker processes apart, tried from an open file of our own
    (as another process would)."""
    theirs = os.open(queue.workers.path, os.O_WRONLY | os.O_CREAT)
    try:
        fcntl.flock(theirs, fcntl.LOCK_EX | fcntl.LOCK_NB)
        across = False
    except BlockingIOError:
        across = True
    finally:
        os.close(theirs)
    assert across == queue.lock.locked(), "the two locks are held together"
    return across


def test_the_writers_queue_is_left_free_whatever_the_request_ends_in(sqlite_app):
    """A worker's threads queue for SQLite's write lock on a lock of their own, and the
    workers of a server on a file lock (database.WriterQueue, AcrossWorkers), taken at
    BEGIN IMMEDIATE: a commit, a rollback, a refused post and a connection given back
    mid-transaction all free both, or the next writer would wait for the busy timeout."""
    app, _other = sqlite_app
    queue = app.extensions["sqlite_writers"]
    invitation, link = make_invitation()
    _db.session.commit()
    assert not _held(queue)
    client = app.test_client()
    fields = form_fields(client.get(link).get_data(as_text=True))
    assert client.post(link, data={**fields, "action": "save", "k1_1": "maybe"}).status_code == 422
    assert not _held(queue)
    assert client.post(link, data={**fields, "action": "submit"}).status_code == 303
    assert not _held(queue)
    with app.test_request_context("/", method="POST"):
        make_unit()
        assert _held(queue)  # by this writer's transaction
        _db.session.rollback()
        assert not _held(queue)
    for give_back in ("close", "invalidate"):  # mid-transaction, or after a lost connection
        connection = _db.engine.connect()
        connection.begin()
        connection.exec_driver_sql("SELECT 1")
        assert _held(queue)
        getattr(connection, give_back)()
        assert not _held(queue), give_back
        connection.close()


# --- PostgreSQL: the planner learns of a bulk write at once ----------------------------------


def _planner_rows(table: str):
    """What the planner believes the table holds: PostgreSQL's estimate (-1: never
    looked at), or SQLite's own statistics table (None: it has none, and plans without)."""
    if _db.engine.dialect.name == "postgresql":
        return _db.session.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table}
        )
    has_stats = _db.session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    )
    return _db.session.scalar(text("SELECT count(*) FROM sqlite_stat1")) if has_stats else None


def test_a_round_of_a_thousand_invitations_is_known_to_the_planner_at_once(db):
    """After a bulk write the planner must not plan from the table as it was: the
    dashboard's page of units then joined and sorted every unit (issue 13)."""
    from survey_app.invitations.services import create_missing_invitations
    from survey_app.models import Unit
    from tests.factories import make_round

    db.session.execute(
        Unit.__table__.insert(),
        [
            {
                "code": f"B{n:05}",
                "name": f"Yksikkö {n}",
                "contact_email": f"b{n}@x.fi",
                "field": "Lastensuojelu",
                "region": "Itä-Suomi",
                "status": "active",
                "language": "fi",
                "municipality": "Kuopio",
            }
            for n in range(1_000)
        ],
    )
    round_ = make_round()
    assert create_missing_invitations(round_) == 1_000
    if db.engine.dialect.name == "postgresql":
        assert _planner_rows("invitations") == 1_000
    else:
        assert _planner_rows("invitations") is None
