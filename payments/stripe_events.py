"""Stripe's events, read as licensebot's `PaymentEvent`s: which kinds matter and what they name.

Events arrive as JSON in whichever API version the webhook endpoint was made with, so fields
are read leniently: an id may come as a string or as the expanded object.
"""

from __future__ import annotations

from typing import Any

from licensing.payments import EventKind, PaymentEvent

INVOICE_KEY = "licensebot_invoice"

INVOICE_KINDS = {
    "invoice.paid": EventKind.INVOICE_PAID,
    "invoice.payment_succeeded": EventKind.INVOICE_PAID,
    "invoice.payment_failed": EventKind.INVOICE_FAILED,
    "invoice.payment_action_required": EventKind.ACTION_REQUIRED,
    "invoice.voided": EventKind.INVOICE_VOIDED,
}
CARD_KINDS = frozenset({"customer.updated", "payment_method.attached", "payment_method.detached"})
CARD_SAVED = "checkout.session.completed"


def id_of(field: Any) -> str | None:
    """The id in a field that holds either an id or the expanded object."""
    if isinstance(field, str):
        return field
    if isinstance(field, dict) and isinstance(field.get("id"), str):
        return str(field["id"])
    return None


def licensebot_invoice(metadata: Any) -> int | None:
    """licensebot's invoice number, for an invoice licensebot made; None for any other."""
    number = metadata.get(INVOICE_KEY) if isinstance(metadata, dict) else None
    try:
        return int(number) if number is not None else None
    except ValueError:
        return None


def invoice_event(event: dict[str, Any], reason: str | None = None) -> PaymentEvent:
    invoice = event["data"]["object"]
    return PaymentEvent(
        id=event["id"],
        kind=INVOICE_KINDS[event["type"]],
        customer=id_of(invoice.get("customer")),
        invoice_id=licensebot_invoice(invoice.get("metadata")),
        provider_invoice=id_of(invoice),
        hosted_url=invoice.get("hosted_invoice_url"),
        reason=reason,
    )


def card_event(event: dict[str, Any]) -> PaymentEvent:
    return PaymentEvent(id=event["id"], kind=EventKind.CARD_CHANGED, customer=customer_of(event))


def customer_of(event: dict[str, Any]) -> str | None:
    """The customer an event is about; a detached payment method names it only among the
    attributes it had before."""
    found = event["data"]["object"]
    if found.get("object") == "customer":
        return id_of(found)
    before = event["data"].get("previous_attributes") or {}
    return id_of(found.get("customer")) or id_of(before.get("customer"))


def payment_error(invoice: dict[str, Any]) -> str | None:
    """Stripe's words for the last failed payment, when the invoice carries its payment intent
    expanded; see `unexpanded_payment_intent` otherwise."""
    intent = invoice.get("payment_intent")
    error = intent.get("last_payment_error") if isinstance(intent, dict) else None
    return error.get("message") if isinstance(error, dict) else None


def unexpanded_payment_intent(invoice: dict[str, Any]) -> str | None:
    intent = invoice.get("payment_intent")
    return intent if isinstance(intent, str) else None
