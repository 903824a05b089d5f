"""The customer record at Stripe, the card licensebot shows, and the page where a card is saved."""

from __future__ import annotations

from urllib.parse import parse_qs

import stripe

from licensing.payments import BillingContact, Card
from payments.stripe import StripeProvider
from tests.payments.helpers import ACME, CHECKOUT, VISA, add_card
from tests.payments.servers import Proxy

CONTACT = BillingContact(
    company="Acme Ltd",
    email="billing@acme.example",
    address="Hauptstrasse 1\n10115 Berlin\nGermany",
    vat_id="de 123456789",
)


def vat_ids(client: stripe.StripeClient, customer: str) -> list[tuple[str, str]]:
    listed = client.v1.customers.tax_ids.list(customer)
    return [(tax_id.type, tax_id.value) for tax_id in listed.auto_paging_iter()]


def test_a_new_customer_carries_the_contact_the_account_and_the_vat_number(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    made = client.v1.customers.retrieve(provider.customer(7, CONTACT, None))

    assert (made.name, made.email) == ("Acme Ltd", "billing@acme.example")
    assert made.address is not None
    assert (made.address.line1, made.address.line2) == ("Hauptstrasse 1", "10115 Berlin, Germany")
    assert made.metadata is not None
    assert made.metadata["licensebot_account"] == "7"
    assert vat_ids(client, made.id) == [("eu_vat", "DE123456789")]


def test_an_existing_customer_is_updated_rather_than_made_again(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    made = provider.customer(7, CONTACT, None)
    moved = BillingContact("Acme GmbH", "ap@acme.example", "Ring 2, Munich", "DE999999999")

    assert provider.customer(7, moved, made) == made

    found = client.v1.customers.retrieve(made)
    assert (found.name, found.email) == ("Acme GmbH", "ap@acme.example")
    assert found.address is not None
    assert found.address.line1 == "Ring 2, Munich"
    assert vat_ids(client, made) == [("eu_vat", "DE999999999")]
    assert len(client.v1.customers.list().data) == 1


def test_a_customer_made_by_a_call_whose_answer_was_lost_is_found_again(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    made = provider.customer(7, CONTACT, None)

    assert provider.customer(7, CONTACT, None) == made
    assert provider.customer(8, CONTACT, None) != made


def test_a_vat_number_stripe_refuses_is_kept_in_the_metadata_until_one_is_accepted(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    made = provider.customer(7, BillingContact("Acme AG", ACME.email, vat_id="CHE123"), None)
    refused = client.v1.customers.retrieve(made)
    provider.customer(7, CONTACT, made)
    accepted = client.v1.customers.retrieve(made)

    assert refused.metadata is not None
    assert refused.metadata["vat_id"] == "CHE123"
    assert accepted.metadata is not None
    assert accepted.metadata["vat_id"] == ""
    assert vat_ids(client, made) == [("eu_vat", "DE123456789")]


def test_a_vat_number_taken_off_the_contact_is_taken_off_the_customer(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    made = provider.customer(7, CONTACT, None)

    provider.customer(7, BillingContact("Acme Ltd", ACME.email), made)

    assert vat_ids(client, made) == []


def test_the_card_shown_is_the_customers_default_with_its_brand_last4_and_expiry(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)
    add_card(client, customer, VISA, exp=(4, 2031))

    assert provider.card(customer) == Card(brand="visa", last4="4242", exp_month=4, exp_year=2031)


def test_a_card_saved_before_payment_methods_is_shown_too(
    provider: StripeProvider, client: stripe.StripeClient
) -> None:
    customer = provider.customer(7, ACME, None)
    card = {"number": "5555555555554444", "exp_month": 9, "exp_year": 2032, "cvc": "123"}
    token = client.v1.tokens.create(params={"card": card})
    client.v1.customers.payment_sources.create(customer, params={"source": token.id})

    # localstripe calls every card a Visa.
    assert provider.card(customer) == Card(brand="visa", last4="4444", exp_month=9, exp_year=2032)


def test_a_customer_without_a_card_shows_none(provider: StripeProvider) -> None:
    assert provider.card(provider.customer(7, ACME, None)) is None


def test_the_card_setup_link_is_a_checkout_session_in_setup_mode_for_the_customer(
    checkout: tuple[Proxy, StripeProvider],
) -> None:
    proxy, provider = checkout
    customer = provider.customer(7, ACME, None)

    assert provider.card_setup_url(customer, "https://licensebot.example/billing") == CHECKOUT

    [(method, path, body)] = proxy.answered
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert parse_qs(body.decode()) == {
        "mode": ["setup"],
        "customer": [customer],
        "allowed_payment_method_types[0]": ["card"],
        "success_url": ["https://licensebot.example/billing"],
        "cancel_url": ["https://licensebot.example/billing"],
    }
