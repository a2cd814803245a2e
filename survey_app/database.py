"""Database wiring: SQLite pragmas (WAL, busy timeout), when SQLite transactions take
the write lock, and pool checks."""

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from .extensions import db


def configure_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.setdefault("connect_args", {})
        # The busy timeout: how long a writer waits for the write lock (sqlite3 sets it).
        options["connect_args"].setdefault("timeout", 30)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            file = engine.url.database
            workers = AcrossWorkers(f"{file}-writers") if file and file != ":memory:" else None
            writers = app.extensions["sqlite_writers"] = WriterQueue(
                options["connect_args"]["timeout"], workers
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", writers.begin)
            event.listen(engine, "commit", writers.committing)
            event.listen(engine, "rollback", writers.rolling_back)
            event.listen(engine.pool, "checkin", writers.checked_in)
            event.listen(engine, "before_cursor_execute", _refuse_write_after_read)
    app.teardown_request(_end_reading_transaction)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL keeps readers outside a transaction from blocking; the busy timeout makes
    transactions wait for the write lock instead of failing with "database is locked"."""
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


READING_METHODS = ("GET", "HEAD")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteAfterRead(RuntimeError):
    """A page that only reads (GET) began writing after it had read: on SQLite that
    write fails whenever another request wrote in between, so it is refused always, in
    every test, rather than now and then in production."""


class WriterQueue:
    """When SQLite transactions take the write lock, and the threads of one process
    queueing for it.

    Writers take the write lock at BEGIN (IMMEDIATE): a deferred transaction that
    reads and then writes fails at once with SQLITE_BUSY when another writer got in
    between, and the busy timeout cannot help it. So writers queue.

    A GET only reads, so it begins deferred and runs beside the others (WAL readers
    never wait). Without this every page view on SQLite queued behind every other.
    A GET that must write (the first open of a link, a wrong link counted) ends its
    reading first and writes in a transaction of its own: write_apart(). A writer that
    reads a while before it writes (the respondent's submit) does the same, once it has
    said so: reads_first(), then begin_writing().

    Within one process, writers queue on a lock of their own before BEGIN IMMEDIATE:
    SQLite's busy handler polls with sleeps of up to 100 ms, so eight threads waiting
    on the file lock left it idle most of the time (a submit's p99 was a second).
    The worker processes of one server then queue on `AcrossWorkers`. Waiting longer
    than the busy timeout, a writer goes on to SQLite's own lock as before.
    """

    def __init__(self, timeout: float, workers: "AcrossWorkers | None" = None):
        self.timeout = timeout
        self.lock = threading.Lock()
        self.workers = workers

    def begin(self, connection) -> None:
        reading = _ONLY_READING.get() or (
            has_request_context()
            and (request.method in READING_METHODS or request.environ.get(_READS_FIRST, False))
        )
        connection.info["deferred"] = {"has_read": False} if reading else None
        if not reading:
            started = time.monotonic()
            queued = connection.info["queued"] = self.lock.acquire(timeout=self.timeout)
            if queued and self.workers is not None:
                left = self.timeout - (time.monotonic() - started)
                connection.info["across"] = self.workers.acquire(left)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    # SQLAlchemy tells of a commit or rollback before it runs it: the transaction is
    # ended here first, so that the next writer does not find SQLite's lock still held
    # (its busy handler would sleep). The DBAPI's own commit that follows does nothing.
    def committing(self, connection) -> None:
        self._end(connection, "commit")

    def rolling_back(self, connection) -> None:
        self._end(connection, "rollback")

    def _end(self, connection, how: str) -> None:
        if connection.invalidated:  # its pool record was given back: checked_in freed it
            return
        if connection.info.get("queued"):
            getattr(connection.connection.dbapi_connection, how)()
        self._leave(connection.info)

    def checked_in(self, _dbapi_connection, record) -> None:
        """A connection given back inside a transaction (an error, a dropped session)."""
        self._leave(record.info)

    def _leave(self, info: dict) -> None:
        if (held := info.pop("across", None)) is not None:
            self.workers.release(held)
        if info.pop("queued", False):
            self.lock.release()


class AcrossWorkers:
    """An exclusive lock on a file beside the database, taken by the one thread of a
    worker process that holds its writers' lock: the processes of one server (gunicorn's
    workers) queue here, where a release is seen within half a millisecond, instead of
    in SQLite's busy handler. The file is opened for each hold and closed at its end
    (which frees the lock): nothing is shared with a forked worker, nothing left open."""

    POLL_SECONDS = 0.0005

    def __init__(self, path: str):
        self.path = path

    def acquire(self, timeout: float) -> int | None:
        """The open file that holds the lock, or None after `timeout` seconds."""
        held = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return held
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(held)
                    return None
                time.sleep(self.POLL_SECONDS)

    @staticmethod
    def release(held: int) -> None:
        os.close(held)  # closing the file frees its lock


_READS_FIRST = "survey_app.reads_first"  # in the request's WSGI environ
_ONLY_READING: ContextVar[bool] = ContextVar("survey_app.only_reading", default=False)


@contextmanager
def only_reading() -> Iterator[None]:
    """Transactions begun inside only read, outside a request too: on SQLite they begin
    deferred and take no writers' lock (the outbox worker renders its next messages
    while respondents save). A write after a read in them is refused (WriteAfterRead)."""
    token = _ONLY_READING.set(True)
    try:
        yield
    finally:
        _ONLY_READING.reset(token)


def reads_first() -> None:
    """This request (a POST) reads without taking SQLite's write lock until it calls
    begin_writing(): the lock is held for its writes, not for its parsing and checks."""
    request.environ[_READS_FIRST] = True


def begin_writing() -> None:
    """End the reading transaction of a request that reads_first(), keeping what it
    loaded (the caller reads again, under lock, what its writes depend on); the next
    transaction takes the write lock. Elsewhere, and on PostgreSQL, it does nothing."""
    if not has_request_context() or not request.environ.pop(_READS_FIRST, False):
        return
    session = db.session()
    if not session.in_transaction():
        return
    if session.connection().info.get("deferred") is not None:
        expiring, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()  # read only: nothing to write
        finally:
            session.expire_on_commit = expiring


def _refuse_write_after_read(connection, _cursor, statement, *_args) -> None:
    deferred = connection.info.get("deferred")
    if deferred is None:  # a writer's transaction
        return
    verb = statement.lstrip()[:7].upper()
    if verb.startswith(WRITES):
        if deferred["has_read"]:
            raise WriteAfterRead(statement.split("\n")[0][:80])
        connection.info["deferred"] = None  # its first statement took the write lock
    elif verb.startswith(("SELECT", "WITH")):
        deferred["has_read"] = True


def write_apart() -> None:
    """Call before a reading request (GET) writes: its reading transaction ends (what it
    loaded is expired) so the write begins one of its own, which takes SQLite's write
    lock with its first statement; on PostgreSQL, a request that read outside a
    transaction (`read_outside_a_transaction`) writes in one. In a writer's transaction
    it does nothing."""
    session = db.session()
    if not session.in_transaction():
        return
    connection = session.connection()
    deferred = connection.info.get("deferred")
    if (deferred is not None and deferred["has_read"]) or _autocommit(connection):
        session.rollback()


AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def read_outside_a_transaction() -> None:
    """This request's next reads need no snapshot shared between their statements: on
    PostgreSQL they run outside a transaction, sparing a round trip for BEGIN and one
    for ROLLBACK (the respondent's page took a third less time). A write that follows
    calls `write_apart` and gets a transaction of its own. On SQLite, where a reading
    transaction costs no round trip (WriterQueue), it does nothing."""
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options=AUTOCOMMIT)


def _autocommit(connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _end_reading_transaction(_error) -> None:
    """A reading request's transaction (a GET's, on every database) ends with the
    request, as do reads outside a transaction. (The app context usually ends with it
    too; where it outlives the request, as in the tests, code after the request must
    not go on in a transaction that may not write, nor write without one, nor the next
    request in the one this one left.)"""
    session = db.session()
    if not session.in_transaction():
        return
    connection = session.connection()
    reading = connection.info.get("deferred") is not None or request.method in READING_METHODS
    if reading or _autocommit(connection):
        session.rollback()


def sqlite_engine_listener_installed(engine: Engine) -> bool:
    return event.contains(engine, "connect", _sqlite_pragmas)


# Rows written at once after which PostgreSQL's statistics are brought up to date.
BULK_ROWS = 1_000


def after_bulk_write(table: str, rows: int) -> None:
    """Bring PostgreSQL's planner statistics for `table` up to date after writing
    `rows` rows at once, in the caller's transaction. Until autovacuum gets to it, the
    planner still sees the table as it was: after 40,000 invitations and mails were
    made, the dashboard's page of units joined and sorted every unit instead of walking
    an index (8 ms against 1.6, issue 13). (A role that does not own the table gets a
    warning from PostgreSQL and no statistics: autovacuum still comes.) SQLite plans
    without them."""
    if rows < BULK_ROWS or db.session.get_bind().dialect.name != "postgresql":
        return
    quoted = db.session.get_bind().dialect.identifier_preparer.format_table(
        db.metadata.tables[table]  # a table of ours, never a name from outside
    )
    db.session.execute(text(f"ANALYZE {quoted}"))
