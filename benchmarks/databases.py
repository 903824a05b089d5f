"""Fresh, migrated databases for each benchmark: SQLite files and PostgreSQL databases on
a throwaway server (`devtools/postgres.py`, the one the tests start), or on
`LICENSEBOT_BENCH_POSTGRES_URL`."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from devtools.postgres import find_pg_bin, running_postgres
from licensing.db import make_engine
from licensing.migrate import upgrade

SQLITE, POSTGRESQL = "sqlite", "postgresql"
INSTALL_POSTGRES = "PostgreSQL is not installed: apt-get install postgresql"


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """A server's SQLAlchemy URL, or None (and why, printed in one line) without one."""
    configured = os.environ.get("LICENSEBOT_BENCH_POSTGRES_URL")
    if configured:
        yield configured
    elif find_pg_bin() is None:
        print(f"benchmarks: {INSTALL_POSTGRES}; the PostgreSQL figures are skipped")
        yield None
    else:
        with running_postgres() as url:
            yield url


class Databases:
    """Hands out fresh databases copied from one migrated template of each kind."""

    def __init__(self, work: Path, postgres_url: str | None) -> None:
        self.work = work
        self.postgres_url = postgres_url
        self._sqlite_template: Path | None = None
        self._postgres_template: str | None = None

    @property
    def kinds(self) -> list[str]:
        return [SQLITE, POSTGRESQL] if self.postgres_url else [SQLITE]

    def fresh(self, kind: str) -> str:
        """An empty, migrated database."""
        return self.copy(f"sqlite:///{self._sqlite()}" if kind == SQLITE else self._postgres())

    def copy(self, url: str) -> str:
        """A copy of a database nothing is connected to."""
        name = f"bench_{uuid.uuid4().hex[:10]}"
        if url.startswith("sqlite:///"):
            path = self.work / f"{name}.db"
            shutil.copy(url.removeprefix("sqlite:///"), path)
            return f"sqlite:///{path}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {url.rsplit('/', 1)[1]}")
        return self._server_url(name)

    def drop(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            self._admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def _sqlite(self) -> Path:
        if self._sqlite_template is None:
            path = self.work / "template.db"
            _migrate(f"sqlite:///{path}")
            self._sqlite_template = path
        return self._sqlite_template

    def _postgres(self) -> str:
        if self._postgres_template is None:
            name = f"bench_template_{uuid.uuid4().hex[:6]}"
            self._admin(f"CREATE DATABASE {name}")
            self._postgres_template = self._server_url(name)
            _migrate(self._postgres_template)
        return self._postgres_template

    def _server_url(self, database: str) -> str:
        assert self.postgres_url is not None, INSTALL_POSTGRES
        return self.postgres_url.rsplit("/", 1)[0] + f"/{database}"

    def _admin(self, statement: str) -> None:
        assert self.postgres_url is not None, INSTALL_POSTGRES
        engine = create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()


@contextmanager
def connected(url: str) -> Iterator[Engine]:
    """An engine on `url`, disposed of on the way out: closing the last SQLite connection
    folds the WAL into the file, so that the file can be copied."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _migrate(url: str) -> None:
    with connected(url) as engine:
        upgrade(engine)
