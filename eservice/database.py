"""Engine set-up that makes the embedded SQLite default safe for concurrent writers.

SQLite runs in WAL mode with a busy timeout. Python's sqlite3 driver starts transactions lazily and
cannot take the write lock up front, so a transaction that reads and then writes can fail at once with
"database is locked" when another writer committed in between. We take over ``BEGIN`` and let a unit
of work ask for ``BEGIN IMMEDIATE`` (see :func:`begin_write`), which queues writers on the busy timeout
instead. On PostgreSQL none of this applies: row locks do the queueing.
"""

import contextlib
import os
import sqlite3

from flask import Flask
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            # A read-only database keeps its journal mode; a write then fails and says so.
            with contextlib.suppress(sqlite3.OperationalError):
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def private_sqlite_file(url: str) -> None:
    """A SQLite database file that does not exist yet is made empty, readable and writable by the service's
    user only (SQLite gives its -wal and -shm files the same mode), in a folder made private if it is missing."""
    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or parsed.query.get("uri") \
            or path.startswith("file:") or os.path.exists(path):
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    with contextlib.suppress(FileExistsError):  # made by another worker starting at the same moment
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def init_app(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine)


def begin_write(session: Session | scoped_session) -> None:
    """Start a fresh write transaction for a unit of work that must not interleave with other writers.

    Anything read so far in this session is released first (nothing may be pending: a unit of work
    starts here). On SQLite the write lock is taken now; on PostgreSQL this is an ordinary ``BEGIN``.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() called with unsaved changes in the session")
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_immediate": True})



def can_write(session: Session | scoped_session) -> bool:
    """True when the database takes a write now (for ``/healthz``); a write is started and rolled back.

    On SQLite ``BEGIN IMMEDIATE`` takes the write lock, which a read-only file or folder refuses; on PostgreSQL
    an ``UPDATE`` (of no row, so that it waits for no lock) is refused by a read-only server, transaction or
    standby. Nothing is changed either way. Raises :class:`sqlalchemy.exc.SQLAlchemyError` when it cannot write.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.rollback()
    try:
        connection = session.connection(execution_options={"sqlite_immediate": True})
        connection.exec_driver_sql("UPDATE division SET id = id WHERE 1 = 0")
    finally:
        session.rollback()
    return True
