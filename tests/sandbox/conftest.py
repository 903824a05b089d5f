"""A sandbox session on a fresh SQLite database whose test clock starts at a known moment, with
the simulated payment provider collecting invoices, as `licensebot sandbox` runs by default."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from bot.settings import Settings
from sandbox.payments import SimulatedProvider
from sandbox.runtime import SandboxRuntime, prepare_database
from sandbox.session import Session
from tests.conftest import START


@pytest.fixture
def sandbox_database(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "sandbox.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    prepare_database(url, START)
    return url


@pytest.fixture
def payments() -> SimulatedProvider:
    return SimulatedProvider()


@pytest.fixture
def runtime(sandbox_database: str, payments: SimulatedProvider) -> Iterator[SandboxRuntime]:
    with SandboxRuntime(Settings(), sandbox_database, payments) as runtime:
        yield runtime


@pytest.fixture
def session(runtime: SandboxRuntime) -> Session:
    return Session(runtime, Console(file=io.StringIO(), width=200))
