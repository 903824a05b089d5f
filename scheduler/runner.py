"""The APScheduler jobs: few and periodic, each a sweep of what the database says is due."""

from __future__ import annotations

from dataclasses import dataclass, field

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from licensing.schemas import PeriodClosed
from licensing.service import LicensingService
from scheduler.sweeps import close_due_periods

SWEEP_JOB = "sweep"


@dataclass(frozen=True)
class SweepReport:
    closed: list[PeriodClosed] = field(default_factory=list)


@dataclass
class Sweeper:
    """Everything that is due, in order: period ends first, so notices describe the new period."""

    service: LicensingService

    def run_once(self) -> SweepReport:
        return SweepReport(closed=close_due_periods(self.service))


def add_jobs(scheduler: BaseScheduler, sweeper: Sweeper, every_seconds: float) -> None:
    # coalesce: runs missed while busy or down collapse into one (the sweep catches up anyway);
    # max_instances=1: a slow sweep is never joined by a second one in the same process.
    scheduler.add_job(
        sweeper.run_once,
        "interval",
        id=SWEEP_JOB,
        seconds=every_seconds,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=max(1, int(every_seconds)),
        replace_existing=True,
    )


def background_scheduler(sweeper: Sweeper, every_seconds: float) -> BackgroundScheduler:
    """Runs beside the Slack app in `licensebot run`."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, sweeper, every_seconds)
    return scheduler


def blocking_scheduler(sweeper: Sweeper, every_seconds: float) -> BlockingScheduler:
    """`licensebot scheduler`: the sweeps alone, for deployments with several web instances."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, sweeper, every_seconds)
    return scheduler
