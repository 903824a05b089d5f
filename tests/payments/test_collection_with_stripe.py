"""licensebot's collector charging its invoices through the real Stripe SDK at localstripe:
each one once, for exactly licensebot's lines, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
import stripe
from sqlalchemy import Engine

from licensing.requests import Purchase
from licensing.service import LicensingService
from payments.stripe import StripeProvider
from scheduler.collector import CollectionReport, Collector
from tests.conftest import OWNER, TEAM, FakeClock
from tests.licensing.helpers import ledger_events
from tests.payments.accounts import (
    NOTICE_CHANNEL,
    PERIOD_END,
    TALK_5,
    invoices_shown,
    payment_notices,
    payments,
    stripe_invoices,
)
from tests.payments.helpers import VISA, charges, invoices
from tests.payments.servers import BROKEN, PAY, RATE_LIMITED, Proxy


def test_a_subscription_and_a_prorated_purchase_are_each_charged_once_for_their_amounts(
    subscribed: Callable[[str], str],
    collecting: LicensingService,
    collector: Collector,
    client: stripe.StripeClient,
    clock: FakeClock,
    engine: Engine,
) -> None:
    customer = subscribed(VISA)
    assert collector.collect_due() == CollectionReport(paid=1)
    clock.advance(days=14)  # Feb 14 of the Jan 31 - Feb 28 period: 14 of its 28 days left
    collecting.handle(TEAM, OWNER, Purchase(count=2, product="talk"), idempotency_key="buy-2")
    assert collector.collect_due() == CollectionReport(paid=1)
    assert collector.collect_due() == CollectionReport()

    assert stripe_invoices(client, customer) == [
        ("1", "paid", 7500, TALK_5),
        ("2", "paid", 1500, [("Talk · Main · 2 seats", 1500)]),  # 2 x 15.00 x 14/28
    ]
    assert charges(client, customer) == [(1500, "usd", "succeeded"), (7500, "usd", "succeeded")]
    assert invoices_shown(collecting) == [
        (1, Decimal("75.00"), "paid"),
        (2, Decimal("15.00"), "paid"),
    ]
    at_stripe = {(i.id, str(i.metadata["licensebot_invoice"])) for i in invoices(client, customer)}
    recorded = {(p.provider_invoice, str(p.invoice_id)) for p in payments(engine)}
    assert recorded == at_stripe
    assert ledger_events(engine).count("payment_collected") == 2
    receipts = payment_notices(engine, "payment_received")
    assert [(f.invoice_id, f.amount, f.state, t) for f, t in receipts] == [
        (1, Decimal("75.00"), "paid", [NOTICE_CHANNEL]),
        (2, Decimal("15.00"), "paid", [NOTICE_CHANNEL]),
    ]


def test_the_renewal_at_the_period_end_is_charged(
    subscribed: Callable[[str], str],
    collecting: LicensingService,
    collector: Collector,
    client: stripe.StripeClient,
    clock: FakeClock,
    engine: Engine,
) -> None:
    customer = subscribed(VISA)
    collector.collect_due()
    clock.current = PERIOD_END
    assert collector.work.close_next_due_period() is not None
    assert collector.collect_due() == CollectionReport(paid=1)

    assert stripe_invoices(client, customer) == [
        ("1", "paid", 7500, TALK_5),
        ("2", "paid", 7500, TALK_5),
    ]
    assert charges(client, customer) == [(7500, "usd", "succeeded")] * 2
    assert invoices_shown(collecting) == [
        (1, Decimal("75.00"), "paid"),
        (2, Decimal("75.00"), "paid"),
    ]
    assert ledger_events(engine).count("payment_collected") == 2


@pytest.mark.usefixtures("quick_backoff")
def test_stripe_answering_429_then_500_to_the_payment_is_retried_and_charges_once(
    subscribed: Callable[[str], str],
    collecting: LicensingService,
    collector: Collector,
    proxied: StripeProvider,
    proxy: Proxy,
    client: stripe.StripeClient,
    engine: Engine,
) -> None:
    customer = subscribed(VISA)
    proxy.answer("POST", PAY, 429, RATE_LIMITED, headers={"Retry-After": "0"}, times=1)
    proxy.answer("POST", PAY, 500, BROKEN, times=1)

    assert replace(collector, provider=proxied).collect_due() == CollectionReport(paid=1)

    [invoice] = invoices(client, customer)
    assert [(method, path) for method, path, _ in proxy.answered] == [
        ("POST", f"/v1/invoices/{invoice.id}/pay")
    ] * 2
    assert stripe_invoices(client, customer) == [("1", "paid", 7500, TALK_5)]
    assert charges(client, customer) == [(7500, "usd", "succeeded")]
    [payment] = payments(engine)
    assert (payment.state, payment.attempts, payment.failures) == ("paid", 1, 0)
    assert invoices_shown(collecting) == [(1, Decimal("75.00"), "paid")]
    assert ledger_events(engine).count("payment_collected") == 1
    assert len(payment_notices(engine, "payment_received")) == 1
