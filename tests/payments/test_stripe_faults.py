"""Rate limits, server errors and refusals between licensebot and Stripe, injected by a proxy
on loopback in front of localstripe: a collection still charges exactly once."""

from __future__ import annotations

import pytest
import stripe

from licensing.payments import Outcome, ProviderUnavailable
from payments.stripe import StripeProvider
from tests.payments.conftest import free_port
from tests.payments.helpers import (
    ACME,
    API_KEY,
    VISA,
    WEBHOOK_SECRET,
    add_card,
    charges,
    invoices,
    three_lines,
)
from tests.payments.servers import BROKEN, PAY, RATE_LIMITED, Proxy, stripe_error

pytestmark = pytest.mark.usefixtures("quick_backoff")


@pytest.fixture
def customer(provider: StripeProvider, client: stripe.StripeClient) -> str:
    made = provider.customer(7, ACME, None)
    add_card(client, made, VISA)
    return made


@pytest.mark.parametrize("path", [PAY, "/v1/invoices", "/v1/invoiceitems"])
def test_rate_limited_requests_are_made_again_and_the_invoice_is_charged_once(
    proxied: StripeProvider,
    proxy: Proxy,
    client: stripe.StripeClient,
    customer: str,
    path: str,
) -> None:
    proxy.answer("POST", path, 429, RATE_LIMITED, headers={"Retry-After": "0"}, times=2)

    assert proxied.collect(three_lines(customer=customer)).outcome is Outcome.PAID

    assert len(proxy.answered) == 2
    [invoice] = invoices(client, customer)
    assert invoice.total == 3751
    assert charges(client, customer) == [(3751, "usd", "succeeded")]


@pytest.mark.parametrize("path", [PAY, "/v1/invoices", "/v1/invoiceitems"])
def test_server_errors_are_retried_and_the_invoice_is_charged_once(
    proxied: StripeProvider,
    proxy: Proxy,
    client: stripe.StripeClient,
    customer: str,
    path: str,
) -> None:
    proxy.answer("POST", path, 500, BROKEN, times=2)

    assert proxied.collect(three_lines(customer=customer)).outcome is Outcome.PAID

    assert len(proxy.answered) == 2
    [invoice] = invoices(client, customer)
    assert invoice.total == 3751
    assert charges(client, customer) == [(3751, "usd", "succeeded")]


def test_a_stripe_that_always_fails_is_unavailable_and_nothing_is_charged(
    proxied: StripeProvider, proxy: Proxy, client: stripe.StripeClient, customer: str
) -> None:
    proxy.answer("POST", PAY, 500, BROKEN)

    with pytest.raises(ProviderUnavailable):
        proxied.collect(three_lines(customer=customer))

    assert len(proxy.answered) == 4  # the request, and the SDK's three retries
    assert [invoice.status for invoice in invoices(client, customer)] == ["draft"]
    assert charges(client, customer) == []


def test_a_stripe_that_always_fails_to_answer_is_unavailable(
    proxied: StripeProvider, proxy: Proxy, customer: str
) -> None:
    proxy.answer("GET", "/v1/*", 503, BROKEN)

    with pytest.raises(ProviderUnavailable):
        proxied.card(customer)


def test_a_rate_limit_that_does_not_lift_is_unavailable(
    proxied: StripeProvider, proxy: Proxy, client: stripe.StripeClient, customer: str
) -> None:
    proxy.answer("POST", PAY, 429, RATE_LIMITED, headers={"Retry-After": "0"})

    with pytest.raises(ProviderUnavailable):
        proxied.collect(three_lines(customer=customer))

    assert len(proxy.answered) == 4  # the first collection, and three more
    assert charges(client, customer) == []


def test_a_stripe_that_cannot_be_reached_is_unavailable() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    unreachable = StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=nobody)

    with pytest.raises(ProviderUnavailable):
        unreachable.card("cus_anyone")


def test_stripes_refusal_of_a_card_is_a_failure_in_stripes_words(
    proxied: StripeProvider, proxy: Proxy, client: stripe.StripeClient, customer: str
) -> None:
    # Stripe answers a declined invoice payment with a card error (localstripe does not).
    declined = stripe_error("card_error", "Your card has insufficient funds.", "card_declined")
    proxy.answer("POST", PAY, 402, declined, times=1)

    collection = proxied.collect(three_lines(customer=customer))

    [invoice] = invoices(client, customer)
    assert (collection.outcome, collection.provider_invoice, collection.reason) == (
        Outcome.FAILED,
        invoice.id,
        "Your card has insufficient funds.",
    )
    assert charges(client, customer) == []


def test_stripe_asking_the_cardholder_to_confirm_is_action_required(
    proxied: StripeProvider, proxy: Proxy, client: stripe.StripeClient, customer: str
) -> None:
    message = "Payment for this invoice requires a payment confirmation."
    confirm = stripe_error("card_error", message, "invoice_payment_intent_requires_action")
    proxy.answer("POST", PAY, 402, confirm, times=1)

    collection = proxied.collect(three_lines(customer=customer))

    [invoice] = invoices(client, customer)
    assert (collection.outcome, collection.provider_invoice) == (
        Outcome.ACTION_REQUIRED,
        invoice.id,
    )
    assert charges(client, customer) == []
