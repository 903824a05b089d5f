"""licensebot's Stripe webhook endpoint over real HTTP (uvicorn, `POST /stripe/webhook`), on the
real provider: notifications signed as Stripe signs them are acted on once each, in any order;
anything else is refused with a 400 and changes nothing. localstripe's own notifications reach
it too."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import stripe
from sqlalchemy import Engine

from licensing.service import LicensingService
from scheduler.collector import CollectionReport, Collector
from tests.licensing.helpers import ledger_events
from tests.payments.accounts import (
    events_received,
    invoices_shown,
    notify,
    payment_notices,
    payments,
)
from tests.payments.helpers import (
    DECLINED_ON_CHARGE,
    VISA,
    WEBHOOK_SECRET,
    add_card,
    charges,
    event,
    invoices,
    signed,
)

CARD_SAVED = ("evt_card_1", "card_changed")  # what opening the account was told
DELIVERY_SECONDS = 60


@pytest.fixture
def declined(
    subscribed: Callable[[str], str], collector: Collector, client: stripe.StripeClient
) -> tuple[str, str]:
    """The Stripe customer and invoice of an account whose first charge was declined: the
    invoice stays open at Stripe, and licensebot retries it in 3 days."""
    customer = subscribed(DECLINED_ON_CHARGE)
    assert collector.collect_due() == CollectionReport(failed=1)
    [invoice] = invoices(client, customer)
    return customer, invoice.id


def paid_on_stripes_page(client: stripe.StripeClient, customer: str, invoice: str) -> Any:
    """The cardholder pays the invoice on Stripe's page with another card; the invoice as
    Stripe's notification carries it."""
    add_card(client, customer, VISA)
    return client.v1.invoices.pay(invoice).to_dict()


def succeeded(invoice: Any, event_id: str = "evt_paid") -> Any:
    return event("invoice.payment_succeeded", invoice, event_id=event_id)


def test_a_signed_notification_that_the_invoice_was_paid_is_acted_on(
    declined: tuple[str, str],
    webhook: str,
    collecting: LicensingService,
    collector: Collector,
    client: stripe.StripeClient,
    engine: Engine,
) -> None:
    customer, invoice = declined
    paid = paid_on_stripes_page(client, customer, invoice)

    assert notify(webhook, *signed(succeeded(paid))) == (200, "ok")

    [payment] = payments(engine)
    assert (payment.state, payment.failures, payment.provider_invoice) == ("paid", 1, invoice)
    assert invoices_shown(collecting) == [(1, Decimal("75.00"), "paid")]
    assert events_received(engine) == [CARD_SAVED, ("evt_paid", "invoice_paid")]
    assert ledger_events(engine).count("payment_collected") == 1
    [(receipt, _)] = payment_notices(engine, "payment_received")
    assert (receipt.invoice_id, receipt.amount) == (1, Decimal("75.00"))
    assert collector.collect_due() == CollectionReport()  # nothing left to charge
    assert charges(client, customer) == [(7500, "usd", "failed"), (7500, "usd", "succeeded")]


@pytest.mark.parametrize(
    "sign",
    [
        lambda e: signed(e, secret="whsec_someone_else"),
        lambda e: (signed(e)[0].replace(b'"evt_paid"', b'"evt_forged"'), signed(e)[1]),
        lambda e: signed(e, at=time.time() - 6 * 60),
    ],
    ids=["another-secret", "payload-changed", "six-minutes-old"],
)
def test_a_notification_not_signed_by_stripe_just_now_is_refused_and_changes_nothing(
    declined: tuple[str, str],
    webhook: str,
    client: stripe.StripeClient,
    engine: Engine,
    sign: Callable[[Any], tuple[bytes, str]],
) -> None:
    customer, invoice = declined
    paid = paid_on_stripes_page(client, customer, invoice)
    ledger = ledger_events(engine)

    assert notify(webhook, *sign(succeeded(paid))) == (400, "refused")

    [payment] = payments(engine)
    assert (payment.state, payment.failures) == ("due", 1)
    assert events_received(engine) == [CARD_SAVED]
    assert ledger_events(engine) == ledger
    assert payment_notices(engine, "payment_received") == []


def test_a_notification_sent_again_changes_nothing_the_second_time(
    declined: tuple[str, str], webhook: str, client: stripe.StripeClient, engine: Engine
) -> None:
    customer, invoice = declined
    paid = paid_on_stripes_page(client, customer, invoice)
    first = signed(succeeded(paid))
    assert notify(webhook, *first) == (200, "ok")
    ledger = ledger_events(engine)

    assert notify(webhook, *first) == (200, "already done")  # the same request, replayed
    assert notify(webhook, *signed(succeeded(paid))) == (200, "already done")  # Stripe's retry

    assert events_received(engine) == [CARD_SAVED, ("evt_paid", "invoice_paid")]
    assert ledger_events(engine) == ledger
    assert len(payment_notices(engine, "payment_received")) == 1


def test_a_failure_notified_after_the_payment_leaves_the_invoice_paid(
    declined: tuple[str, str], webhook: str, client: stripe.StripeClient, engine: Engine
) -> None:
    customer, invoice = declined
    as_declined = client.v1.invoices.retrieve(invoice).to_dict()
    paid = paid_on_stripes_page(client, customer, invoice)
    failed = event("invoice.payment_failed", as_declined, event_id="evt_failed")

    assert notify(webhook, *signed(succeeded(paid))) == (200, "ok")
    assert notify(webhook, *signed(failed)) == (200, "ok")

    [payment] = payments(engine)
    assert (payment.state, payment.failures) == ("paid", 1)
    assert ledger_events(engine).count("payment_failed") == 1  # the declined charge only
    assert len(payment_notices(engine, "payment_failed")) == 1


@contextmanager
def sending_to(localstripe: str, url: str, kinds: list[str]) -> Iterator[None]:
    """localstripe sends its notifications of `kinds` to `url` meanwhile (it keeps an endpoint
    until replaced, so it is replaced by one that takes no kind)."""

    def register(events: list[str]) -> None:
        config = {"url": url, "secret": WEBHOOK_SECRET, "events": events}
        request = urllib.request.Request(
            f"{localstripe}/_config/webhooks/licensebot",
            data=json.dumps(config).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=30).close()

    register(kinds)
    try:
        yield
    finally:
        register([])


def test_localstripes_own_notification_of_a_payment_reaches_the_endpoint_and_is_acted_on(
    declined: tuple[str, str],
    webhook: str,
    localstripe: str,
    client: stripe.StripeClient,
    engine: Engine,
) -> None:
    customer, invoice = declined
    # localstripe sends each notification a second after the fact to every endpoint it has
    # then, so earlier tests' may come too: they name other customers, and change nothing.
    with sending_to(localstripe, webhook, ["invoice.payment_succeeded"]):
        paid_on_stripes_page(client, customer, invoice)
        deadline = time.monotonic() + DELIVERY_SECONDS
        while payments(engine)[0].state != "paid":
            if time.monotonic() > deadline:
                pytest.fail(f"localstripe's notification was not acted on in {DELIVERY_SECONDS} s")
            time.sleep(0.2)

    [payment] = payments(engine)
    assert (payment.state, payment.provider_invoice) == ("paid", invoice)
    [(event_id, kind)] = [e for e in events_received(engine) if e != CARD_SAVED]
    assert (event_id.startswith("evt_"), kind) == (True, "invoice_paid")
    assert ledger_events(engine).count("payment_collected") == 1
