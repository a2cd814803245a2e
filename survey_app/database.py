"""Database wiring: SQLite pragmas (WAL, busy timeout) and pool checks."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db


def configure_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.setdefault("connect_args", {})
        # The busy timeout is also set by pragma below; this covers the connect itself.
        options["connect_args"].setdefault("timeout", 30)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin_immediate)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL keeps readers outside a transaction from blocking; the busy timeout makes
    transactions wait for the write lock instead of failing with "database is locked"."""
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    """Take the write lock at BEGIN: a deferred transaction that reads and then writes
    fails at once with SQLITE_BUSY when another writer got in between, and the busy
    timeout cannot help it. Transactions queue instead: SQLite is the small-scale
    default; PostgreSQL is the database for many concurrent respondents."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def sqlite_engine_listener_installed(engine: Engine) -> bool:
    return event.contains(engine, "connect", _sqlite_pragmas)
