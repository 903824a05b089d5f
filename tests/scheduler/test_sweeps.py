"""The period-end sweep and its APScheduler job."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from apscheduler.schedulers.background import BackgroundScheduler

from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from scheduler.runner import DELIVERY_JOB, SWEEP_JOB, Intervals, Sweeper, add_jobs
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


def test_the_job_coalesces_missed_runs_and_never_overlaps_itself(
    scheduled: ScheduledWork,
) -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, Sweeper(scheduled), Intervals(sweep_seconds=30, delivery_seconds=5))
    job = scheduler.get_job(SWEEP_JOB)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 30)
    assert job.trigger.interval.total_seconds() == 30
    delivery = scheduler.get_job(DELIVERY_JOB)
    assert (delivery.coalesce, delivery.max_instances) == (True, 1)
    assert delivery.trigger.interval.total_seconds() == 5
