"""A collector killed between Stripe's charge and licensebot's record of it. Once its lease has
passed, the next collector finds the Stripe invoice by its metadata and records it paid,
without charging it again. The two processes share the database: an SQLite file, or
PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import stripe
from sqlalchemy import Engine

from licensing.service import LicensingService
from scheduler.collector import CollectionReport, Collector
from tests.conftest import FakeClock
from tests.licensing.helpers import ledger_events
from tests.payments.accounts import (
    TALK_5,
    invoices_shown,
    payment_intents,
    payment_notices,
    payments,
    stripe_invoices,
)
from tests.payments.helpers import VISA, charges, invoices

ROOT = Path(__file__).resolve().parents[2]
RUN_SECONDS = 120  # to start Python, claim the charge and make it: a few seconds, unhurried


def test_a_collector_killed_once_stripe_has_charged_leaves_one_charge_recorded_once(
    subscribed: Callable[[str], str],
    collecting: LicensingService,
    collector: Collector,
    database_url: str,
    localstripe: str,
    client: stripe.StripeClient,
    clock: FakeClock,
    engine: Engine,
) -> None:
    customer = subscribed(VISA)
    runner = "tests.payments.crashing_collector"
    command = [sys.executable, "-m", runner, database_url, localstripe, clock.now().isoformat()]

    crashed = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=RUN_SECONDS)

    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()
    assert stripe_invoices(client, customer) == [("1", "paid", 7500, TALK_5)]
    [payment] = payments(engine)  # charged, but licensebot does not know it yet
    assert (payment.state, payment.attempts, payment.attempt_open) == ("due", 1, True)
    assert collector.collect_due() == CollectionReport()  # the dead collector's lease holds

    clock.advance(seconds=collector.lease.total_seconds())
    assert collector.collect_due() == CollectionReport(paid=1)
    assert collector.collect_due() == CollectionReport()

    [invoice] = invoices(client, customer)
    assert stripe_invoices(client, customer) == [("1", "paid", 7500, TALK_5)]
    assert charges(client, customer) == [(7500, "usd", "succeeded")]
    assert payment_intents(client, customer) == [(7500, "succeeded")]
    [payment] = payments(engine)
    assert (payment.state, payment.attempts, payment.failures) == ("paid", 2, 0)
    assert payment.provider_invoice == invoice.id
    assert invoices_shown(collecting) == [(1, Decimal("75.00"), "paid")]
    assert ledger_events(engine).count("payment_collected") == 1
    assert len(payment_notices(engine, "payment_received")) == 1
