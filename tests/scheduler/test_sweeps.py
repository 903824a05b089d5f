"""The period-end sweep and its APScheduler jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import OperationalError

from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from scheduler.runner import (
    DELIVERY_JOB,
    SWEEP_JOB,
    Intervals,
    OutlastsOutages,
    Sweeper,
    add_jobs,
)
from scheduler.sweeps import close_due_periods
from tests.conftest import OWNER, FakeClock
from tests.licensing.helpers import subscribe


def _accounts(service: LicensingService, teams: list[str]) -> None:
    for team in teams:
        key = AccountKey(team_id=team)
        service.install(key, OWNER.user_id)
        subscribe(service, key, seats=2)


def test_a_sweep_closes_every_due_period_of_every_account_once(
    service: LicensingService, scheduled: ScheduledWork, clock: FakeClock
) -> None:
    _accounts(service, ["TA", "TB", "TC"])
    clock.current = datetime(2026, 4, 1, tzinfo=UTC)  # two period ends (Feb 28, Mar 31) passed

    closed = list(close_due_periods(scheduled))

    assert sorted((c.team_id, c.period_end.month) for c in closed) == [
        ("TA", 2),
        ("TA", 3),
        ("TB", 2),
        ("TB", 3),
        ("TC", 2),
        ("TC", 3),
    ]
    assert {c.invoice.total for c in closed if c.invoice} == {Decimal("30.00")}
    assert list(close_due_periods(scheduled)) == []


def test_a_sweep_can_stop_after_a_batch(
    service: LicensingService, scheduled: ScheduledWork, clock: FakeClock
) -> None:
    _accounts(service, ["TA", "TB"])
    clock.current = datetime(2026, 3, 1, tzinfo=UTC)
    assert len(list(close_due_periods(scheduled, limit=1))) == 1
    assert len(list(close_due_periods(scheduled))) == 1


def test_the_jobs_coalesce_missed_runs_never_overlap_themselves_and_outlast_outages(
    scheduled: ScheduledWork,
) -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    sweeper = Sweeper(scheduled)
    add_jobs(scheduler, sweeper, Intervals(sweep_seconds=30, delivery_seconds=5))
    job = scheduler.get_job(SWEEP_JOB)
    assert job.func == OutlastsOutages(SWEEP_JOB, sweeper.sweep)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 30)
    assert job.trigger.interval.total_seconds() == 30
    delivery = scheduler.get_job(DELIVERY_JOB)
    assert delivery.func == OutlastsOutages(DELIVERY_JOB, sweeper.deliver)
    assert (delivery.coalesce, delivery.max_instances) == (True, 1)
    assert delivery.trigger.interval.total_seconds() == 5


class Outage:
    """Work that fails as an unreachable database would, `runs` times, then succeeds."""

    def __init__(self, runs: int) -> None:
        self.left = runs
        self.done = 0

    def __call__(self) -> None:
        if self.left:
            self.left -= 1
            refused = psycopg.OperationalError("connection failed: Connection refused")
            raise OperationalError("SELECT 1", {}, refused)
        self.done += 1


def test_a_job_tells_once_that_the_database_is_unreachable_and_once_that_it_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work = Outage(runs=5)
    job = OutlastsOutages(SWEEP_JOB, work)

    for _ in range(8):
        job()

    assert work.done == 3
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "ERROR",
            "sweep: can't reach the database (connection failed: Connection refused); "
            "trying again at every run",
        ),
        ("WARNING", "sweep: the database is back, after 5 failed runs"),
    ]


def test_a_job_leaves_any_other_error_to_the_scheduler() -> None:
    def broken() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        OutlastsOutages(SWEEP_JOB, broken)()
