"""Period-end sweeps in real processes: killed mid-sweep, and two at once on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from licensing.clock import StoredTestClock
from licensing.db import make_session_factory
from tests.conftest import START
from tests.scheduler.due import assert_each_period_closed_once, closings, seed, wait_for_closings

ACCOUNTS = 1000


def seed_at_start(engine: Engine, accounts: int) -> datetime:
    """The accounts, due at START, where the test clock the sweep processes share stands;
    their period end."""
    period_end = seed(engine, accounts, START)
    StoredTestClock(make_session_factory(engine)).set(START)
    return period_end


@contextmanager
def sweeping(database_url: str, output: Path) -> Iterator[subprocess.Popen[str]]:
    """`licensebot sweep` in a process of its own, printing each period it closes to
    `output`; killed on the way out if it is still running."""
    env = {**os.environ, "DATABASE_URL": database_url, "LICENSEBOT_TEST_CLOCK": "1"}
    with output.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "sweep"], env=env, stdout=out, text=True
        )
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)


def closed_teams(output: Path) -> list[str]:
    return [
        line.split(":")[0] for line in output.read_text().splitlines() if ": period ending" in line
    ]


def test_a_sweep_killed_midway_is_finished_by_the_next_and_each_period_closes_once(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    period_end = seed_at_start(engine, ACCOUNTS)
    first_out, second_out = tmp_path / "first.out", tmp_path / "second.out"

    with sweeping(database_url, first_out) as first:
        wait_for_closings(engine, 100, first)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    killed_at = closings(engine)
    assert killed_at < ACCOUNTS, "the first sweep was to be killed before it closed them all"
    with sweeping(database_url, second_out) as second:
        assert second.wait(timeout=600) == 0

    first_teams, second_teams = closed_teams(first_out), closed_teams(second_out)
    # the killed one may have died between committing a period and printing it
    assert len(set(first_teams)) == len(first_teams) <= killed_at
    assert len(set(second_teams)) == len(second_teams) == ACCOUNTS - killed_at
    assert not set(first_teams) & set(second_teams)
    assert_each_period_closed_once(engine, ACCOUNTS, period_end)


def test_two_scheduler_processes_share_the_accounts_without_overlap(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time; several schedulers are for PostgreSQL")
    period_end = seed_at_start(engine, 2 * ACCOUNTS)
    outputs = [tmp_path / "first.out", tmp_path / "second.out"]

    with sweeping(database_url, outputs[0]) as first, sweeping(database_url, outputs[1]) as second:
        assert [first.wait(timeout=600), second.wait(timeout=600)] == [0, 0]

    first_teams, second_teams = (set(closed_teams(output)) for output in outputs)
    assert not first_teams & second_teams
    assert len(first_teams | second_teams) == 2 * ACCOUNTS
    assert_each_period_closed_once(engine, 2 * ACCOUNTS, period_end)
