"""SQLite runs in WAL mode with a busy timeout: concurrent writers wait, never fail."""

import shutil
import threading

from sqlalchemy import text

from survey_app.extensions import db as _db
from tests.factories import make_unit
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
