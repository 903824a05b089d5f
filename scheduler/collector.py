"""The payment outbox's collector: charges the invoices that are due through the payment
provider, several at once, and records what became of each.

A provider call is slow (several HTTP round trips) and blocking, so calls run on a small
pool of threads; each outcome is recorded in a transaction of its own, with its ledger rows
and notices. A provider that cannot be reached gets the payment back after a pause, with
nothing counted against the account."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from licensing.charging import ChargeJob
from licensing.clock import Clock, SystemClock
from licensing.payments import Outcome, PaymentProvider, ProviderUnavailable
from licensing.scheduled import ScheduledWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CollectionReport:
    paid: int = 0
    failed: int = 0
    postponed: int = 0  # the provider could not be reached; tried again later

    def __add__(self, other: CollectionReport) -> CollectionReport:
        return CollectionReport(
            self.paid + other.paid, self.failed + other.failed, self.postponed + other.postponed
        )


PAID = CollectionReport(paid=1)
FAILED = CollectionReport(failed=1)
POSTPONED = CollectionReport(postponed=1)


@dataclass
class Collector:
    work: ScheduledWork
    provider: PaymentProvider
    concurrency: int = 8
    batch: int = 64
    # Long enough for a provider call and its own retries; a crash frees the payment after it.
    lease: timedelta = timedelta(minutes=10)
    pause: timedelta = timedelta(minutes=1)  # before trying a provider that was not reached
    real_time: Clock = field(default_factory=SystemClock)

    def collect_due(self) -> CollectionReport:
        """Charge everything due, batch by batch, until nothing is left."""
        report = CollectionReport()
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="collect") as pool:
            while jobs := self.work.claim_charges(self.real_time.now(), self.batch, self.lease):
                for outcome in pool.map(self._collect, jobs):
                    report += outcome
        if report != CollectionReport():
            log.info("payments: %s", report)
        return report

    def _collect(self, job: ChargeJob) -> CollectionReport:
        if job.charge is None:
            self.work.record_collection(job, None)
            return FAILED
        try:
            collection = self.provider.collect(job.charge)
        except ProviderUnavailable as error:
            log.warning("payments: invoice #%s postponed: %s", job.charge.invoice_id, error)
            self.work.give_back_charge(job, self._later())
            return POSTPONED
        except Exception:  # a bug, or an answer that makes no sense: kept for a person to see
            log.exception("payments: invoice #%s could not be collected", job.charge.invoice_id)
            self.work.give_back_charge(job, self._later())
            return POSTPONED
        self.work.record_collection(job, collection)
        return PAID if collection.outcome is Outcome.PAID else FAILED

    def _later(self) -> datetime:
        return self.real_time.now() + self.pause
