"""A collector whose process dies the moment Stripe has charged an invoice, before licensebot
records it: a crash at the worst point of a collection.

    python -m tests.payments.crashing_collector DATABASE_URL STRIPE_URL NOW

collects what is due at NOW (ISO 8601, both clocks: the billing clock and the lease's) on the
database at DATABASE_URL, through Stripe at STRIPE_URL; it never returns: SIGKILL ends it.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime

from licensing.catalog import load_catalog
from licensing.collection import Dunning
from licensing.db import make_engine, make_session_factory
from licensing.payments import Charge, Collection
from licensing.scheduled import ScheduledWork
from payments.stripe import StripeProvider
from scheduler.collector import Collector
from tests.conftest import FakeClock
from tests.payments.helpers import API_KEY, WEBHOOK_SECRET


class DiesOnceCharged(StripeProvider):
    def collect(self, charge: Charge) -> Collection:
        super().collect(charge)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("still alive after SIGKILL")


def main(database_url: str, stripe_url: str, now: str) -> None:
    clock = FakeClock(datetime.fromisoformat(now))
    work = ScheduledWork(
        make_session_factory(make_engine(database_url)), load_catalog(), clock, Dunning()
    )
    provider = DiesOnceCharged(API_KEY, WEBHOOK_SECRET, api_base=stripe_url)
    Collector(work, provider, concurrency=1, real_time=clock).collect_due()


if __name__ == "__main__":
    main(*sys.argv[1:])
