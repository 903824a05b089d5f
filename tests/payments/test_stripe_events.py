"""Stripe's webhooks: verified with the endpoint's secret, read as licensebot's events."""

from __future__ import annotations

import json
import queue
import time
import urllib.request
from typing import Any

import pytest
import stripe

from licensing.payments import Card, EventKind, PaymentEvent, WebhookRejected
from payments.stripe import StripeProvider
from tests.payments.helpers import (
    ACME,
    DECLINED_ON_CHARGE,
    VISA,
    WEBHOOK_SECRET,
    add_card,
    event,
    signed,
    three_lines,
)
from tests.payments.servers import WebhookReceiver, serving

PAGE = "https://invoice.stripe.com/i/acct_1/test_in_1"
INVOICE = {
    "id": "in_1",
    "object": "invoice",
    "customer": "cus_1",
    "metadata": {"licensebot_invoice": "42", "licensebot_account": "7"},
    "hosted_invoice_url": PAGE,
}


def read(provider: StripeProvider, kind: str, thing: dict[str, Any], **data: Any) -> Any:
    return provider.read_event(*signed(event(kind, thing, **data)))


def test_a_webhook_signed_with_the_endpoints_secret_is_read(provider: StripeProvider) -> None:
    payload, signature = signed(event("invoice.paid", INVOICE))

    assert provider.read_event(payload, signature) == PaymentEvent(
        id="evt_invoice_paid",
        kind=EventKind.INVOICE_PAID,
        customer="cus_1",
        invoice_id=42,
        provider_invoice="in_1",
        hosted_url=PAGE,
    )


@pytest.mark.parametrize(
    ("payload", "signature"),
    [
        signed(event("invoice.paid", INVOICE), secret="whsec_someone_else"),
        (signed(event("invoice.paid", INVOICE))[0], ""),
        signed(event("invoice.paid", INVOICE), at=time.time() - 301),
        (json.dumps(event("invoice.paid", {**INVOICE, "id": "in_2"})).encode(), "t=1,v1=00"),
        (b"{}", signed(event("invoice.paid", INVOICE))[1]),
    ],
    ids=["another-secret", "no-signature", "six-minutes-old", "forged", "payload-swapped"],
)
def test_a_webhook_that_is_not_stripes_is_rejected(
    provider: StripeProvider, payload: bytes, signature: str
) -> None:
    with pytest.raises(WebhookRejected):
        provider.read_event(payload, signature)


@pytest.mark.parametrize(
    ("kind", "read_as"),
    [
        ("invoice.paid", EventKind.INVOICE_PAID),
        ("invoice.payment_succeeded", EventKind.INVOICE_PAID),
        ("invoice.payment_failed", EventKind.INVOICE_FAILED),
        ("invoice.payment_action_required", EventKind.ACTION_REQUIRED),
        ("invoice.voided", EventKind.INVOICE_VOIDED),
    ],
)
def test_each_invoice_event_names_licensebots_invoice(
    provider: StripeProvider, kind: str, read_as: EventKind
) -> None:
    read_event = read(provider, kind, INVOICE)

    assert (read_event.kind, read_event.invoice_id, read_event.provider_invoice) == (
        read_as,
        42,
        "in_1",
    )
    assert (read_event.customer, read_event.hosted_url) == ("cus_1", PAGE)


def test_an_invoice_licensebot_did_not_make_names_no_licensebot_invoice(
    provider: StripeProvider,
) -> None:
    read_event = read(provider, "invoice.paid", {**INVOICE, "metadata": {}})

    assert (read_event.kind, read_event.invoice_id) == (EventKind.INVOICE_PAID, None)


def test_a_failed_payment_gives_stripes_reason_from_the_expanded_payment_intent(
    provider: StripeProvider,
) -> None:
    intent = {"id": "pi_1", "last_payment_error": {"message": "Your card has expired."}}

    failed = read(provider, "invoice.payment_failed", {**INVOICE, "payment_intent": intent})

    assert (failed.kind, failed.reason) == (EventKind.INVOICE_FAILED, "Your card has expired.")


def test_a_failed_payment_gives_stripes_reason_from_the_payment_intent_it_names(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)
    add_card(client, customer, DECLINED_ON_CHARGE)
    declined = provider.collect(three_lines(customer=customer))
    invoice = client.v1.invoices.retrieve(declined.provider_invoice).to_dict()

    failed = read(provider, "invoice.payment_failed", invoice)

    assert (failed.invoice_id, failed.reason) == (42, "Your card was declined.")


@pytest.mark.parametrize(
    ("kind", "thing", "data"),
    [
        ("customer.updated", {"id": "cus_1", "object": "customer"}, {}),
        ("payment_method.attached", {"id": "pm_1", "customer": "cus_1"}, {}),
        (
            "payment_method.detached",
            {"id": "pm_1", "object": "payment_method", "customer": None},
            {"previous_attributes": {"customer": "cus_1"}},
        ),
    ],
)
def test_a_change_of_payment_method_is_a_card_change_for_its_customer(
    provider: StripeProvider, kind: str, thing: dict[str, Any], data: dict[str, Any]
) -> None:
    assert read(provider, kind, thing, **data) == PaymentEvent(
        id=f"evt_{kind.replace('.', '_')}", kind=EventKind.CARD_CHANGED, customer="cus_1"
    )


@pytest.mark.parametrize(
    ("kind", "thing"),
    [
        ("charge.refunded", {"id": "ch_1", "object": "charge"}),
        ("checkout.session.completed", {"id": "cs_1", "mode": "payment", "customer": "cus_1"}),
    ],
)
def test_events_licensebot_does_not_act_on_are_read_as_none(
    provider: StripeProvider, kind: str, thing: dict[str, Any]
) -> None:
    assert read(provider, kind, thing) is None


def test_a_card_saved_through_checkout_becomes_the_default_before_it_is_reported(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)
    add_card(client, customer, DECLINED_ON_CHARGE)
    # What Checkout does in setup mode: a card confirmed on a setup intent, attached.
    card = {"number": VISA, "exp_month": 4, "exp_year": 2031, "cvc": "123"}
    saved = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_methods.attach(saved.id, params={"customer": customer})
    intent = client.v1.setup_intents.create(params={"customer": customer})
    client.v1.setup_intents.confirm(intent.id, params={"payment_method": saved.id})
    session = {"id": "cs_1", "mode": "setup", "customer": customer, "setup_intent": intent.id}

    read_event = read(provider, "checkout.session.completed", session)

    assert read_event == PaymentEvent(
        id="evt_checkout_session_completed", kind=EventKind.CARD_CHANGED, customer=customer
    )
    assert provider.card(customer) == Card("visa", "4242", 4, 2031)


def test_a_webhook_sent_by_localstripe_itself_is_read(
    provider: StripeProvider, client: stripe.StripeClient, localstripe: str
) -> None:
    receiver = WebhookReceiver()
    with serving(receiver.app()) as url:
        register = {
            "url": f"{url}/stripe",
            "secret": WEBHOOK_SECRET,
            "events": ["invoice.payment_succeeded"],
        }
        request = urllib.request.Request(
            f"{localstripe}/_config/webhooks/licensebot",
            data=json.dumps(register).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=30).close()
        customer = provider.customer(7, ACME, None)
        add_card(client, customer, VISA)
        collection = provider.collect(three_lines(customer=customer))
        payload, signature = delivered(receiver, collection.provider_invoice)

    read_event = provider.read_event(payload, signature)

    assert read_event is not None
    assert (read_event.kind, read_event.invoice_id, read_event.customer) == (
        EventKind.INVOICE_PAID,
        42,
        customer,
    )


def delivered(receiver: WebhookReceiver, invoice: str) -> tuple[bytes, str]:
    """The webhook about the invoice. localstripe sends each event a second after it happened
    to every endpoint registered by then, so events of earlier tests may come first."""
    deadline = time.monotonic() + 60
    while True:
        try:
            payload, signature = receiver.received.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            pytest.fail(f"localstripe sent no webhook about {invoice} within 60 s")
        if json.loads(payload)["data"]["object"]["id"] == invoice:
            return payload, signature
