"""A sandbox session on a fresh SQLite database whose test clock starts at a known moment."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from bot.settings import Settings
from sandbox.runtime import SandboxRuntime, prepare_database
from sandbox.session import Session
from tests.conftest import START


@pytest.fixture
def runtime(tmp_path: Path, sqlite_template: Path) -> Iterator[SandboxRuntime]:
    path = tmp_path / "sandbox.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    prepare_database(url, START)
    with SandboxRuntime(Settings(), url) as runtime:
        yield runtime


@pytest.fixture
def session(runtime: SandboxRuntime) -> Session:
    return Session(runtime, Console(file=io.StringIO(), width=200))
