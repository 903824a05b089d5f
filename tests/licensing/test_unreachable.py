"""Which database errors mean that the database cannot be reached, and how the engine meets
a server that refuses, never answers, or ended its connections."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from licensing.db import is_unreachable, make_engine, reason

TERMINATION_WAIT_MS = 60_000  # generous: a loaded machine makes it slower, never red


@pytest.fixture
def closed_port() -> int:
    """A loopback port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that takes connections and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def connect_error(engine: Engine) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return raised.value


def test_a_server_that_refuses_connections_is_unreachable(closed_port: int) -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port}/postgres")

    error = connect_error(engine)

    assert is_unreachable(error)
    assert "refused" in reason(error) and "\n" not in reason(error)


def test_a_server_that_never_answers_is_given_up_on_after_the_connect_timeout(
    silent_port: int,
) -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{silent_port}/postgres")
    errors: list[DBAPIError] = []
    attempt = threading.Thread(target=lambda: errors.append(connect_error(engine)), daemon=True)

    attempt.start()
    attempt.join(60)  # libpq's own default would wait far longer: 130 s

    assert not attempt.is_alive(), "still connecting after 60 s"
    [error] = errors
    assert is_unreachable(error)


class Connected(Exception):
    pass


@pytest.mark.parametrize(("query", "timeout"), [("", 2), ("?connect_timeout=9", "9")])
def test_postgresql_connections_time_out_after_2_s_unless_the_url_says(
    query: str, timeout: int | str
) -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:1/postgres{query}")
    given: dict[str, object] = {}

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: object, record: object, args: object, params: dict[str, object]) -> None:
        given.update(params)
        raise Connected

    with pytest.raises(Connected):
        engine.connect()
    assert given["connect_timeout"] == timeout


def test_a_refused_statement_is_not_an_unreachable_database(engine: Engine) -> None:
    with pytest.raises(DBAPIError) as raised, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))

    assert not is_unreachable(raised.value)


def test_errors_other_than_the_databases_are_not_an_unreachable_database() -> None:
    assert not is_unreachable(ValueError("no"))
    assert not is_unreachable(OSError("connection refused"))


@pytest.mark.postgres
def test_a_connection_the_server_ended_is_unreachable_and_the_next_one_is_new(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        ended = conn.scalar(text("SELECT pg_backend_pid()"))
    terminate(postgres_url, ended)

    # a checkout pings the pooled connection first, finds it gone and connects again
    with engine.connect() as conn:
        other = conn.scalar(text("SELECT pg_backend_pid()"))
        assert other != ended
        terminate(postgres_url, other)
        # inside a transaction nothing pings: the error tells the caller
        with pytest.raises(DBAPIError) as raised:
            conn.execute(text("SELECT 1"))
    engine.dispose()

    assert raised.value.connection_invalidated and is_unreachable(raised.value)


def terminate(postgres_url: str, backend: object) -> None:
    """End the backend and wait until it has exited, so that what its client meets next does
    not depend on how far the server got."""
    admin = make_engine(postgres_url)
    with admin.connect() as conn:
        ended = conn.scalar(
            text("SELECT pg_terminate_backend(:pid, :wait_ms)"),
            {"pid": backend, "wait_ms": TERMINATION_WAIT_MS},
        )
    admin.dispose()
    assert ended, f"backend {backend} still ran {TERMINATION_WAIT_MS} ms after it was ended"
