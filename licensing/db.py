"""Engines and the unit of work: one transaction per use case, rolled back unless committed."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from licensing.repository import Repository

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Slack waits 3 s for an answer; 2 s is the least libpq allows. A server that is down refuses
# at once; this bounds one that does not answer at all.
POSTGRES_CONNECT_TIMEOUT_S = 2
# PostgreSQL's codes for a server going down or not yet up (class 08 is the connection's own)
SERVER_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03"})
_HOLDS_WRITER_TURN = "licensebot_holds_writer_turn"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, busy timeout, write transactions take the lock up front)
    or PostgreSQL (row locks in READ COMMITTED; a short connect timeout, and pooled
    connections checked before use, so that a restarted server is reconnected to)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    connect_args = kwargs.pop("connect_args", {})
    if "connect_timeout" not in make_url(url).query:  # one given in the URL stands
        connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, **connect_args}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def is_unreachable(error: BaseException) -> bool:
    """Whether a database error says the database could not be reached (down, restarting,
    refusing connections, a lost connection) rather than that a statement was refused: an
    error that passes by itself, so the answer is to try again later."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    # psycopg's errors carry the server's SQLSTATE, or None when the server never answered;
    # sqlite3's carry none (a local file is not "unreachable").
    sqlstate = getattr(error.orig, "sqlstate", "")
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in SERVER_UNAVAILABLE


def reason(error: BaseException) -> str:
    """The driver's first line about a database error, for a log line without the statement."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    # Threads of this process take turns to write here, and are woken the moment a turn is
    # free. Left to SQLite's busy handler, waiting writers poll with sleeps growing to 100 ms,
    # and under load some lose every race for seconds; only processes still meet there.
    writer_turn = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A write transaction takes SQLite's write lock at BEGIN, so two of them can never
        # read the same counts and both write; reads stay concurrent.
        if connection.get_execution_options().get("read_only", False):
            connection.exec_driver_sql("BEGIN")
            return
        # Never wait longer than SQLite would; past that, its busy handler has the last word.
        holds_turn = writer_turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if holds_turn:
                writer_turn.release()
            raise
        connection.info[_HOLDS_WRITER_TURN] = holds_turn

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Connection) -> None:
        if connection.info.pop(_HOLDS_WRITER_TURN, False):
            writer_turn.release()


class UnitOfWork:
    """`with uow: ...; uow.commit()` — anything not committed is rolled back on exit."""

    def __init__(self, session_factory: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._session_factory = session_factory
        self._read_only = read_only

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        if self._read_only:
            self.session.connection(execution_options={"read_only": True})
        self.repo = Repository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.repo.write_ledger()
        self.session.commit()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)
