"""A card that Stripe declines, through licensebot's whole dunning path at localstripe: retried
3, 5 and 7 days after the first failure with a notice each time, then past due; the period end
ends the subscription, or a card saved meanwhile pays at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from sqlalchemy import Engine

from licensing.calendar import Interval
from licensing.errors import PaymentOverdue
from licensing.model import Status
from licensing.requests import Assign, Purchase, SetBillingDetails, Subscribe
from licensing.schemas import PoolTarget
from licensing.service import LicensingService
from scheduler.collector import CollectionReport, Collector
from tests.conftest import OWNER, START, TEAM, FakeClock
from tests.licensing.helpers import ledger_events, pool_counts
from tests.payments.accounts import (
    NOTICE_CHANNEL,
    PERIOD_END,
    TALK_5,
    account,
    card_saved,
    invoices_shown,
    notify,
    payment_notices,
    payments,
    stripe_invoices,
    subscription,
)
from tests.payments.helpers import DECLINED_ON_CHARGE, VISA, add_card, charges

DECLINED = "Your card was declined."
DECLINED_CHARGE = (7500, "usd", "failed")


def fail_on_every_retry(collector: Collector, clock: FakeClock) -> None:
    """Day 0, 3, 5 and 7: each attempt declined, and nothing charged in between."""
    for day in (0, 3, 5, 7):
        clock.current = START + timedelta(days=day)
        assert collector.collect_due() == CollectionReport(failed=1)
        assert collector.collect_due() == CollectionReport()


def test_a_declined_card_is_retried_on_days_3_5_and_7_then_the_account_is_past_due(
    subscribed: Callable[[str], str],
    collecting: LicensingService,
    collector: Collector,
    client: stripe.StripeClient,
    clock: FakeClock,
    engine: Engine,
) -> None:
    customer = subscribed(DECLINED_ON_CHARGE)

    fail_on_every_retry(collector, clock)

    assert stripe_invoices(client, customer) == [("1", "open", 7500, TALK_5)]
    assert charges(client, customer) == [DECLINED_CHARGE] * 4
    [payment] = payments(engine)
    assert (payment.state, payment.attempts, payment.failures) == ("failed", 4, 4)
    assert payment.reason == DECLINED
    failures = payment_notices(engine, "payment_failed")
    assert [(f.invoice_id, f.amount, f.failures, f.state, f.reason) for f, _ in failures] == [
        (1, Decimal("75.00"), n, "due" if n < 4 else "failed", DECLINED) for n in (1, 2, 3, 4)
    ]
    assert [f.next_attempt_at for f, _ in failures] == [
        START + timedelta(days=3),
        START + timedelta(days=5),
        START + timedelta(days=7),
        None,
    ]
    assert all(targets == [NOTICE_CHANNEL, OWNER.user_id] for _, targets in failures)
    assert subscription(engine).past_due_since == START + timedelta(days=7)
    assert ledger_events(engine).count("payment_failed") == 4
    assert "payment_past_due" in ledger_events(engine)

    with pytest.raises(PaymentOverdue, match=r"75\.00 USD is unpaid \(invoice #1\)"):
        collecting.handle(TEAM, OWNER, Purchase(count=1, product="talk"), idempotency_key="b")
    collecting.handle(TEAM, OWNER, Assign(user_id="U2", product="talk"), idempotency_key="a")
    assert pool_counts(collecting, TEAM) == (5, 0, 1)
    standing = collecting.status(TEAM, OWNER).billing
    assert standing is not None and standing.owed == Decimal("75.00")


def test_an_account_still_past_due_at_the_period_end_is_not_renewed(
    subscribed: Callable[[str], str],
    collecting: LicensingService,
    collector: Collector,
    client: stripe.StripeClient,
    clock: FakeClock,
    engine: Engine,
) -> None:
    customer = subscribed(DECLINED_ON_CHARGE)
    fail_on_every_retry(collector, clock)

    clock.current = PERIOD_END
    collector.work.close_next_due_period()

    assert subscription(engine).status == Status.CANCELED
    assert "subscription_ended_unpaid" in ledger_events(engine)
    assert collector.collect_due() == CollectionReport()
    assert stripe_invoices(client, customer) == [("1", "open", 7500, TALK_5)]
    assert charges(client, customer) == [DECLINED_CHARGE] * 4
    [payment] = payments(engine)
    assert (payment.invoice_id, payment.state) == (1, "failed")  # and still owed
    collecting.install(TEAM, OWNER.user_id)  # the installer comes back to start again
    collecting.handle(TEAM, OWNER, SetBillingDetails(details="Acme Ltd"))
    again = Subscribe(interval=Interval.MONTH, pools=(PoolTarget(product="talk", seats=5),))
    with pytest.raises(PaymentOverdue, match=r"75\.00 USD is unpaid \(invoice #1\)"):
        collecting.handle(TEAM, OWNER, again, idempotency_key="subscribe-again")


def test_a_card_saved_while_past_due_is_charged_at_once_and_ends_past_due(
    subscribed: Callable[[str], str],
    collecting: LicensingService,
    collector: Collector,
    webhook: str,
    client: stripe.StripeClient,
    clock: FakeClock,
    engine: Engine,
) -> None:
    customer = subscribed(DECLINED_ON_CHARGE)
    fail_on_every_retry(collector, clock)
    clock.advance(hours=2)

    add_card(client, customer, VISA)  # saved on Stripe's page, and made the default
    assert notify(webhook, *card_saved(client, customer, "evt_card_2")) == (200, "ok")

    assert account(engine).card_last4 == "4242"
    assert collector.collect_due() == CollectionReport(paid=1)
    assert stripe_invoices(client, customer) == [("1", "paid", 7500, TALK_5)]
    assert charges(client, customer) == [*[DECLINED_CHARGE] * 4, (7500, "usd", "succeeded")]
    [payment] = payments(engine)
    assert (payment.state, payment.failures, payment.paid_at) == ("paid", 4, clock.now())
    assert subscription(engine).past_due_since is None
    assert ledger_events(engine)[-2:] == ["payment_collected", "payment_standing_restored"]
    assert invoices_shown(collecting) == [(1, Decimal("75.00"), "paid")]
    [(receipt, _)] = payment_notices(engine, "payment_received")
    assert (receipt.invoice_id, receipt.amount) == (1, Decimal("75.00"))
    collecting.handle(TEAM, OWNER, Purchase(count=1, product="talk"), idempotency_key="b")
