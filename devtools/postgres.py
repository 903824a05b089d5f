"""A throwaway PostgreSQL server on loopback, started from the machine's binaries.

It serves the tests and the benchmarks (each also takes a server of your own from its own
environment variable); production never imports it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if Path(folder, "initdb").exists():
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresServer:
    """A server in a temporary folder. It can be stopped and started again on the same data
    and port, as a database outage would look to its clients."""

    def __init__(self, pg_bin: Path) -> None:
        self.pg_bin = pg_bin
        self.root = Path(tempfile.mkdtemp(prefix="licensebot-pg-"))
        self.data = self.root / "data"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start on the data folder, made at the first start, and wait until it is ready."""
        if not self.data.exists():
            initdb = ("-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
            self._run("initdb", *initdb, "-E", "UTF8")
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start",
        )

    def stop(self) -> None:
        """Stop as an administrator would (`-m fast`): open connections are ended, their
        transactions rolled back, and new connections refused until `start`."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            _as_server_user(
                [str(self.pg_bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = _as_server_user([str(self.pg_bin / program), *args])
        subprocess.run(command, check=True, capture_output=True, text=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A started server on loopback, removed with its data afterwards."""
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    server = PostgresServer(pg_bin)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a server on loopback in a temporary folder; yield its SQLAlchemy URL."""
    with postgres_server() as server:
        yield server.url
