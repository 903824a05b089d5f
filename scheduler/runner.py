"""The APScheduler jobs: few and periodic, each a sweep of what the database says is due."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from licensing.service import LicensingService
from scheduler.sweeps import close_due_periods

PERIOD_END_JOB = "close_due_periods"


def add_jobs(scheduler: BaseScheduler, service: LicensingService, every_seconds: float) -> None:
    # coalesce: runs missed while busy or down collapse into one (the sweep catches up anyway);
    # max_instances=1: a slow sweep is never joined by a second one in the same process.
    scheduler.add_job(
        close_due_periods,
        "interval",
        args=[service],
        id=PERIOD_END_JOB,
        seconds=every_seconds,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=max(1, int(every_seconds)),
        replace_existing=True,
    )


def background_scheduler(service: LicensingService, every_seconds: float) -> BackgroundScheduler:
    """Runs beside the Slack app in `licensebot run`."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, service, every_seconds)
    return scheduler


def blocking_scheduler(service: LicensingService, every_seconds: float) -> BlockingScheduler:
    """`licensebot scheduler`: the sweeps alone, for deployments with several web instances."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, service, every_seconds)
    return scheduler
