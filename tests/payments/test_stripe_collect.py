"""Collecting a licensebot invoice through Stripe, on localstripe: once, and exactly its lines.

localstripe's invoices have no hosted page, so every `hosted_url` here is None.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import stripe

from licensing.payments import Charge, ChargeLine, Collection, Outcome
from payments.stripe import StripeProvider
from payments.stripe_collect import NO_CARD
from payments.stripe_errors import InvoiceMismatch
from tests.payments.helpers import (
    ACME,
    DECLINED_ON_CHARGE,
    NEEDS_3DS,
    VISA,
    add_card,
    charges,
    invoices,
    lines,
    three_lines,
)

THREE_LINES = [
    ("1 seat of Pro, 15-31 March", 2250),
    ("3 seats of Pro, March", 1500),
    ("Rounding", 1),
]


class Crash(Exception):
    """The process dying between two steps of a collection."""


def crash(*args: object) -> None:
    raise Crash


@pytest.fixture
def customer(provider: StripeProvider, client: stripe.StripeClient) -> str:
    made = provider.customer(7, ACME, None)
    add_card(client, made, VISA)
    return made


def test_a_charge_of_three_lines_is_collected_once_with_exactly_those_amounts(
    provider: StripeProvider, client: stripe.StripeClient, customer: str
) -> None:
    collection = provider.collect(three_lines(customer=customer))

    [invoice] = invoices(client, customer)
    assert collection == Collection(Outcome.PAID, invoice.id)
    assert lines(invoice) == THREE_LINES
    assert (invoice.total, invoice.currency, invoice.status) == (3751, "usd", "paid")
    assert invoice.metadata is not None
    assert invoice.metadata["licensebot_invoice"] == "42"
    assert invoice.metadata["licensebot_account"] == "7"
    assert charges(client, customer) == [(3751, "usd", "succeeded")]


def test_collecting_the_same_invoice_twice_charges_once(
    provider: StripeProvider, client: stripe.StripeClient, customer: str
) -> None:
    first = provider.collect(three_lines(customer=customer))
    second = provider.collect(three_lines(customer=customer))

    assert second == first
    assert len(invoices(client, customer)) == 1
    assert charges(client, customer) == [(3751, "usd", "succeeded")]


def test_a_crash_after_the_invoice_was_made_is_finished_by_collecting_again(
    provider: StripeProvider,
    client: stripe.StripeClient,
    customer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(provider._invoices, "_pay", crash)
    with pytest.raises(Crash):
        provider.collect(three_lines(customer=customer))
    [made] = invoices(client, customer)
    assert (made.status, charges(client, customer)) == ("draft", [])
    monkeypatch.undo()

    collection = provider.collect(three_lines(customer=customer))

    [invoice] = invoices(client, customer)
    assert (collection.outcome, collection.provider_invoice) == (Outcome.PAID, made.id)
    assert lines(invoice) == THREE_LINES
    assert charges(client, customer) == [(3751, "usd", "succeeded")]


def test_a_crash_after_the_lines_were_sent_adds_none_of_them_twice(
    provider: StripeProvider,
    client: stripe.StripeClient,
    customer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(provider._invoices, "_create_invoice", crash)
    with pytest.raises(Crash):
        provider.collect(three_lines(customer=customer))
    assert invoices(client, customer) == []
    monkeypatch.undo()

    assert provider.collect(three_lines(customer=customer)).outcome is Outcome.PAID

    [invoice] = invoices(client, customer)
    assert lines(invoice) == THREE_LINES
    assert charges(client, customer) == [(3751, "usd", "succeeded")]


def test_pending_items_that_are_not_this_invoices_lines_are_left_out_of_it(
    provider: StripeProvider, client: stripe.StripeClient, customer: str
) -> None:
    charge = three_lines(customer=customer)
    metadata = {"licensebot_invoice": "42", "licensebot_line": "0"}
    doubled = {"amount": 1500, "description": "3 seats of Pro, March", "metadata": metadata}
    stale = {"amount": 9999, "description": "3 seats of Pro, March", "metadata": metadata}
    other = {"amount": 500, "description": "Invoice 41", "metadata": {"licensebot_invoice": "41"}}
    for item in (doubled, doubled, stale, other):
        client.v1.invoice_items.create(params={"customer": customer, "currency": "usd", **item})

    assert provider.collect(charge).outcome is Outcome.PAID

    [invoice] = invoices(client, customer)
    assert lines(invoice) == THREE_LINES
    assert charges(client, customer) == [(3751, "usd", "succeeded")]


def test_a_pending_item_licensebot_did_not_make_stops_the_collection(
    provider: StripeProvider, client: stripe.StripeClient, customer: str
) -> None:
    client.v1.invoice_items.create(
        params={"customer": customer, "amount": 700, "currency": "usd", "description": "Setup"}
    )

    with pytest.raises(InvoiceMismatch, match="did not make"):
        provider.collect(three_lines(customer=customer))

    assert invoices(client, customer) == []
    assert charges(client, customer) == []


def test_an_invoice_at_stripe_that_comes_to_another_amount_is_never_paid(
    provider: StripeProvider,
    client: stripe.StripeClient,
    customer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(provider._invoices, "_pay", crash)
    with pytest.raises(Crash):
        provider.collect(three_lines(customer=customer))
    monkeypatch.undo()
    repriced = replace(three_lines(customer=customer), lines=(ChargeLine("3 seats", 1400),))

    with pytest.raises(InvoiceMismatch, match=r"comes to 3751 .* not 1400 USD"):
        provider.collect(repriced)

    assert charges(client, customer) == []


def test_an_invoice_voided_at_stripe_is_neither_made_again_nor_paid(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)
    add_card(client, customer, DECLINED_ON_CHARGE)
    declined = provider.collect(three_lines(customer=customer))
    client.v1.invoices.void_invoice(declined.provider_invoice)
    add_card(client, customer, VISA)

    collection = provider.collect(three_lines(customer=customer))

    voided = declined.provider_invoice
    assert (collection.outcome, collection.provider_invoice) == (Outcome.FAILED, voided)
    assert collection.reason == f"Stripe invoice {voided} was voided."
    assert [invoice.status for invoice in invoices(client, customer)] == ["void"]
    assert charges(client, customer) == [(3751, "usd", "failed")]


def test_a_declined_card_fails_with_stripes_reason_and_a_new_card_pays_the_same_invoice(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)
    add_card(client, customer, DECLINED_ON_CHARGE)

    declined = provider.collect(three_lines(customer=customer))
    add_card(client, customer, VISA)
    paid = provider.collect(three_lines(customer=customer))

    [invoice] = invoices(client, customer)
    assert declined == Collection(Outcome.FAILED, invoice.id, reason="Your card was declined.")
    assert (paid.outcome, paid.provider_invoice) == (Outcome.PAID, invoice.id)
    assert charges(client, customer) == [(3751, "usd", "failed"), (3751, "usd", "succeeded")]


def test_a_customer_without_a_card_is_not_charged_and_is_told_why(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)

    collection = provider.collect(three_lines(customer=customer))

    [invoice] = invoices(client, customer)
    assert (collection.outcome, collection.reason) == (Outcome.FAILED, NO_CARD)
    assert (invoice.id, invoice.total, charges(client, customer)) == (
        collection.provider_invoice,
        3751,
        [],
    )


def test_a_card_that_asks_for_3d_secure_leaves_the_invoice_to_the_cardholder(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)
    add_card(client, customer, NEEDS_3DS)

    collection = provider.collect(three_lines(customer=customer))

    [invoice] = invoices(client, customer)
    assert collection == Collection(Outcome.ACTION_REQUIRED, invoice.id)
    assert charges(client, customer) == []


def test_yen_amounts_have_no_minor_unit_and_pass_through_unchanged(
    provider: StripeProvider, client: stripe.StripeClient, customer: str
) -> None:
    charge = Charge(
        invoice_id=43,
        account_id=7,
        customer=customer,
        currency="JPY",
        lines=(ChargeLine("3 seats of Pro", 1200), ChargeLine("Tax", 34)),
    )

    assert provider.collect(charge).outcome is Outcome.PAID

    [invoice] = invoices(client, customer)
    assert (invoice.currency, invoice.total, lines(invoice)) == (
        "jpy",
        1234,
        [("3 seats of Pro", 1200), ("Tax", 34)],
    )
    assert charges(client, customer) == [(1234, "jpy", "succeeded")]


def test_each_licensebot_invoice_gets_its_own_stripe_invoice(
    provider: StripeProvider, client: stripe.StripeClient, customer: str
) -> None:
    first = provider.collect(three_lines(42, customer))
    second = provider.collect(three_lines(43, customer))

    assert first.provider_invoice != second.provider_invoice
    assert [lines(invoice) for invoice in invoices(client, customer)] == [THREE_LINES] * 2
    assert charges(client, customer) == [(3751, "usd", "succeeded")] * 2
