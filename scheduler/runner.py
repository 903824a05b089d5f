"""The APScheduler jobs: few and periodic, each a sweep of what the database says is due."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from licensing.clock import SystemClock
from licensing.db import is_unreachable, reason
from licensing.scheduled import ScheduledWork
from licensing.schemas import PeriodClosed
from licensing.words import plural
from scheduler.collector import CollectionReport, Collector
from scheduler.delivery import DeliveryReport, Dispatcher
from scheduler.sweeps import close_due_periods, write_due_reminders

SWEEP_JOB = "sweep"
DELIVERY_JOB = "deliver_notices"
PAYMENT_JOB = "collect_payments"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    closed: int = 0  # periods
    reminded: int = 0  # accounts whose reminders were written
    delivered: DeliveryReport = field(default_factory=DeliveryReport)
    collected: CollectionReport = field(default_factory=CollectionReport)


OnClosed = Callable[[PeriodClosed], None]


@dataclass
class Sweeper:
    """Everything that is due, in order: period ends first (so reminders are for the periods
    that follow), then reminders, then delivering what they wrote. Without a dispatcher (no
    Slack credentials) notices wait in the outbox for a process that has one."""

    work: ScheduledWork
    dispatcher: Dispatcher | None = None
    collector: Collector | None = None  # None when invoices are records only

    def sweep(self, on_closed: OnClosed | None = None) -> SweepReport:
        """Period ends and reminders; `on_closed` hears of each period end as it commits."""
        closed = 0
        for result in close_due_periods(self.work):
            closed += 1
            if on_closed:
                on_closed(result)
        return SweepReport(closed=closed, reminded=write_due_reminders(self.work))

    def deliver(self) -> DeliveryReport:
        return self.dispatcher.deliver_due() if self.dispatcher else DeliveryReport()

    def collect(self) -> CollectionReport:
        return self.collector.collect_due() if self.collector else CollectionReport()

    def run_once(self, on_closed: OnClosed | None = None) -> SweepReport:
        """Every sweep once; charges before notices, so a failed charge's notice goes too."""
        swept = self.sweep(on_closed)
        collected = self.collect()
        return SweepReport(swept.closed, swept.reminded, self.deliver(), collected)


@dataclass(frozen=True)
class Intervals:
    sweep_seconds: float = 60  # period ends and reminders
    delivery_seconds: float = 5  # the outbox; retries after Retry-After wait for it
    payment_seconds: float = 30  # the payment outbox, when invoices are collected


@dataclass
class OutlastsOutages:
    """A job that waits out a database it cannot reach: it says so once when the outage starts
    and once when it ends, and each run in between tries again (a sweep resumes where the
    outage stopped it, since each period closes in a transaction of its own). Any other error
    is left to APScheduler, which logs it whole and runs the job again at its next time."""

    name: str
    work: Callable[[], object]
    failed_runs: int = 0

    def __call__(self) -> None:
        try:
            self.work()
        except Exception as error:
            if not is_unreachable(error):
                raise
            if not self.failed_runs:
                log.error(
                    "%s: can't reach the database (%s); trying again at every run",
                    self.name,
                    reason(error),
                )
            self.failed_runs += 1
            return
        if self.failed_runs:
            log.warning(
                "%s: the database is back, after %s",
                self.name,
                plural(self.failed_runs, "failed run"),
            )
            self.failed_runs = 0


def add_jobs(scheduler: BaseScheduler, sweeper: Sweeper, intervals: Intervals) -> None:
    # coalesce: runs missed while busy or down collapse into one (each catches up anyway);
    # max_instances=1: a slow run is never joined by a second one in the same process.
    jobs: list[tuple[str, Callable[[], object], float]] = [
        (SWEEP_JOB, sweeper.sweep, intervals.sweep_seconds),
        (DELIVERY_JOB, sweeper.deliver, intervals.delivery_seconds),
    ]
    if sweeper.collector is not None:
        jobs.append((PAYMENT_JOB, sweeper.collect, intervals.payment_seconds))
    for job_id, work, seconds in jobs:
        scheduler.add_job(
            OutlastsOutages(job_id, work),
            "interval",
            id=job_id,
            seconds=seconds,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(seconds)),
            replace_existing=True,
        )


def background_scheduler(sweeper: Sweeper, intervals: Intervals) -> BackgroundScheduler:
    """Runs beside the Slack app in `licensebot run`."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, sweeper, intervals)
    return scheduler


def blocking_scheduler(sweeper: Sweeper, intervals: Intervals) -> BlockingScheduler:
    """`licensebot scheduler`: the sweeps alone, for deployments with several web instances."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, sweeper, intervals)
    return scheduler


def waker(scheduler: BaseScheduler, sweeper: Sweeper) -> Callable[[], None]:
    """A function that runs the delivery job now instead of at its next interval, and has a
    run in progress (a period end's backlog) claim at once. APScheduler keeps real time, so
    this reads the system clock, never the (possibly simulated) billing one."""
    real_time = SystemClock()

    def deliver_soon() -> None:
        if sweeper.dispatcher is not None:
            sweeper.dispatcher.wake()
        scheduler.modify_job(DELIVERY_JOB, next_run_time=real_time.now())

    return deliver_soon
