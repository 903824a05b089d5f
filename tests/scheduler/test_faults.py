"""Period-end sweeps in real processes: killed mid-sweep, and two at once on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from licensing import orm
from licensing.calendar import Interval
from licensing.clock import StoredTestClock
from licensing.db import make_session_factory
from licensing.requests import SetBillingDetails, Subscribe
from licensing.schemas import AccountKey, Actor, PoolTarget
from licensing.service import LicensingService

OWNER = Actor(user_id="UOWNER")
PERIOD_END = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)  # of accounts subscribed at tests' START


def seed(service: LicensingService, engine: Engine, accounts: int) -> None:
    """`accounts` accounts with two talk seats each, subscribed at START; the test clock the
    sweep processes share stands just after their first period end."""
    for n in range(accounts):
        subscribe(service, AccountKey(team_id=f"T{n:05d}"))
    StoredTestClock(make_session_factory(engine)).set(PERIOD_END + timedelta(minutes=1))


def subscribe(service: LicensingService, key: AccountKey) -> None:
    service.install(key, OWNER.user_id)
    service.handle(key, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=2),)
    service.handle(
        key,
        OWNER,
        Subscribe(interval=Interval.MONTH, pools=pools, start_now=True),
        idempotency_key="subscribe",
    )


def sweep_process(database_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LICENSEBOT_TEST_CLOCK": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sweep"], env=env, stdout=subprocess.PIPE, text=True
    )


def closed_teams(lines: list[str]) -> list[str]:
    return [line.split(":")[0] for line in lines if ": period ending" in line]


def assert_each_account_renewed_once(engine: Engine, accounts: int) -> None:
    with Session(engine) as session:
        closings = session.execute(
            select(orm.PeriodClosing.account_id, func.count())
            .group_by(orm.PeriodClosing.account_id)
            .having(func.count() > 0)
        ).all()
        assert len(closings) == accounts and {n for _, n in closings} == {1}
        renewals = session.scalars(select(orm.Invoice).where(orm.Invoice.kind == "renewal")).all()
        assert len(renewals) == accounts
        assert {r.total_minor for r in renewals} == {3000}  # 2 seats × 15.00 USD
        assert len({r.account_id for r in renewals}) == accounts
        charged = session.execute(
            select(func.count(), func.sum(orm.LedgerEntry.amount_minor)).where(
                orm.LedgerEntry.event == "renewal_charged"
            )
        ).one()
        assert tuple(charged) == (accounts, 3000 * accounts)
        notices = session.scalar(
            select(func.count()).select_from(orm.Notice).where(orm.Notice.kind == "period_ended")
        )
        assert notices == accounts


def test_a_sweep_killed_midway_resumes_and_closes_each_account_once(
    database_url: str, engine: Engine, service: LicensingService
) -> None:
    seed(service, engine, accounts=1000)

    first = sweep_process(database_url)
    assert first.stdout is not None
    printed = [first.stdout.readline() for _ in range(150)]
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    second = sweep_process(database_url)
    rest, _ = second.communicate(timeout=600)

    assert first.returncode == -signal.SIGKILL and second.returncode == 0
    teams = closed_teams(printed) + closed_teams(rest.splitlines())
    assert len(teams) == len(set(teams)) >= 999  # the killed one may have died before printing
    assert_each_account_renewed_once(engine, accounts=1000)


def test_two_scheduler_processes_share_the_accounts_without_overlap(
    database_url: str, engine: Engine, service: LicensingService
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time; several schedulers are for PostgreSQL")
    seed(service, engine, accounts=2000)

    processes = [sweep_process(database_url) for _ in range(2)]
    outputs = [p.communicate(timeout=600)[0] for p in processes]

    assert [p.returncode for p in processes] == [0, 0]
    first, second = (set(closed_teams(out.splitlines())) for out in outputs)
    assert not first & second
    assert len(first | second) == 2000
    assert_each_account_renewed_once(engine, accounts=2000)
