"""Setting up the fake Stripe as a user would have it, and reading back what was charged."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import stripe

from licensing.payments import BillingContact, Charge, ChargeLine

API_KEY = "sk_test_licensebot"
WEBHOOK_SECRET = "whsec_licensebot_tests"
CHECKOUT = "https://checkout.stripe.com/c/pay/cs_test_a1"  # the page the proxy stands in for

# Stripe's test cards, as localstripe knows them.
VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined
NEEDS_3DS = "4000002500003155"

ACME = BillingContact(company="Acme Ltd", email="billing@acme.example")


def three_lines(invoice_id: int = 42, customer: str = "") -> Charge:
    return Charge(
        invoice_id=invoice_id,
        account_id=7,
        customer=customer,
        currency="USD",
        lines=(
            ChargeLine("3 seats of Pro, March", 1500),
            ChargeLine("1 seat of Pro, 15-31 March", 2250),
            ChargeLine("Rounding", 1),
        ),
    )


def add_card(
    client: stripe.StripeClient, customer: str, number: str, exp: tuple[int, int] = (12, 2030)
) -> str:
    """A card saved and made the customer's default, as Checkout leaves it."""
    card = {"number": number, "exp_month": exp[0], "exp_year": exp[1], "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_methods.attach(method.id, params={"customer": customer})
    client.v1.customers.update(
        customer, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    return method.id


def charges(client: stripe.StripeClient, customer: str) -> list[tuple[int, str, str]]:
    """(amount, currency, status) of every charge made to the customer."""
    listed = client.v1.charges.list(params={"customer": customer, "limit": 100})
    return sorted((c.amount, c.currency, c.status) for c in listed.auto_paging_iter())


def invoices(client: stripe.StripeClient, customer: str) -> list[stripe.Invoice]:
    listed = client.v1.invoices.list(params={"customer": customer, "limit": 100})
    return list(listed.auto_paging_iter())


def lines(invoice: stripe.Invoice) -> list[tuple[str | None, int]]:
    return sorted((line.description, line.amount) for line in invoice.lines.data)


def signed(
    event: dict[str, Any], secret: str = WEBHOOK_SECRET, at: float | None = None
) -> tuple[bytes, str]:
    """The event as Stripe sends it: its JSON, and a Stripe-Signature header for it."""
    payload = json.dumps(event).encode()
    timestamp = int(time.time() if at is None else at)
    signed_text = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed_text, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={digest}"


def event(
    kind: str, thing: dict[str, Any], *, event_id: str | None = None, **data: Any
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{kind.replace('.', '_')}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": thing, **data},
    }
