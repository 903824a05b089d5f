"""Stripe as licensebot's payment provider, through Stripe's official SDK.

Every method may be called again after a crash, a timeout or a rate limit, and finds what an
earlier call made: collecting is in `payments.stripe_collect`.
"""

from __future__ import annotations

from typing import Any

import stripe
from stripe.params import (
    CustomerCreateParams,
    CustomerCreateParamsAddress,
    CustomerUpdateParams,
)

from licensing.payments import (
    BillingContact,
    Card,
    Charge,
    Collection,
    EventKind,
    PaymentEvent,
    WebhookRejected,
)
from payments import stripe_events as events
from payments.stripe_collect import ACCOUNT_KEY, InvoiceCollector, metadata_value
from payments.stripe_errors import provider_call

VAT_KEY = "vat_id"
WEBHOOK_TOLERANCE_SECONDS = 300


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, webhook_secret: str, api_base: str | None = None) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=3,
        )
        self._stripe = self._client.v1
        self._invoices = InvoiceCollector(self._stripe)
        self._webhook_secret = webhook_secret

    @provider_call
    def customer(self, account_id: int, contact: BillingContact, existing: str | None) -> str:
        address = _address(contact.address)
        found = existing or self._customer_made_for(account_id, contact.email)
        if found is None:
            new: CustomerCreateParams = {"name": contact.company, "email": contact.email}
            new["metadata"] = {ACCOUNT_KEY: str(account_id)}
            if address:  # localstripe refuses an empty address for a new customer
                new["address"] = address
            made = self._stripe.customers.create(params=new)
        else:
            changed: CustomerUpdateParams = {"name": contact.company, "email": contact.email}
            changed["address"] = address or ""
            made = self._stripe.customers.update(found, params=changed)
        self._set_vat_id(made, contact.vat_id.replace(" ", "").upper())
        return made.id

    @provider_call
    def collect(self, charge: Charge) -> Collection:
        return self._invoices.collect(charge)

    @provider_call
    def card(self, customer: str) -> Card | None:
        expand = ["invoice_settings.default_payment_method", "default_source"]
        found = self._stripe.customers.retrieve(customer, params={"expand": expand})
        settings = found.invoice_settings
        method = settings.default_payment_method if settings else None
        if isinstance(method, stripe.PaymentMethod) and method.card:
            shown = method.card
            return Card(shown.brand, shown.last4, shown.exp_month, shown.exp_year)
        source = found.default_source
        if isinstance(source, stripe.Card):
            # A card saved before PaymentMethods: its brand is spelled "Visa", not "visa".
            return Card(source.brand.lower(), source.last4, source.exp_month, source.exp_year)
        return None

    @provider_call
    def card_setup_url(self, customer: str, return_url: str) -> str:
        session = self._stripe.checkout.sessions.create(
            params={
                "mode": "setup",
                "customer": customer,
                "allowed_payment_method_types": ["card"],
                "success_url": return_url,
                "cancel_url": return_url,
            }
        )
        if not session.url:
            raise RuntimeError(f"Stripe made checkout session {session.id} without a page")
        return session.url

    @provider_call
    def read_event(self, payload: bytes, signature: str) -> PaymentEvent | None:
        try:
            verified = self._client.construct_event(
                payload, signature, self._webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise WebhookRejected(str(error)) from error
        event = verified.to_dict()
        kind = event["type"]
        if kind in events.INVOICE_KINDS:
            failed = events.INVOICE_KINDS[kind] is EventKind.INVOICE_FAILED
            reason = self._payment_error(event["data"]["object"]) if failed else None
            return events.invoice_event(event, reason)
        if kind == events.CARD_SAVED:
            return self._card_saved(event)
        if kind in events.CARD_KINDS:
            return events.card_event(event)
        return None

    def _customer_made_for(self, account_id: int, email: str) -> str | None:
        """A customer made for the account by an earlier call whose answer was lost."""
        if not email:
            return None
        listed = self._stripe.customers.list(params={"email": email, "limit": 100})
        for found in listed.auto_paging_iter():
            if metadata_value(found.metadata, ACCOUNT_KEY) == str(account_id):
                return found.id
        return None

    def _set_vat_id(self, customer: stripe.Customer, vat_id: str) -> None:
        """The VAT number as the customer's only tax id; one Stripe refuses (not an EU VAT
        number, or one it cannot validate) is kept in the customer's metadata instead."""
        tax_ids = self._stripe.customers.tax_ids
        kept = False
        for tax_id in tax_ids.list(customer.id).auto_paging_iter():
            if tax_id.value == vat_id and not kept:
                kept = True
            else:
                tax_ids.delete(customer.id, tax_id.id)
        refused = ""
        if vat_id and not kept:
            try:
                tax_ids.create(customer.id, params={"type": "eu_vat", "value": vat_id})
            except stripe.InvalidRequestError:
                refused = vat_id
        if (metadata_value(customer.metadata, VAT_KEY) or "") != refused:
            self._stripe.customers.update(customer.id, params={"metadata": {VAT_KEY: refused}})

    def _payment_error(self, invoice: dict[str, Any]) -> str | None:
        intent = events.unexpanded_payment_intent(invoice)
        if intent is None:
            return events.payment_error(invoice)
        error = self._stripe.payment_intents.retrieve(intent).last_payment_error
        return error.message if error else None

    def _card_saved(self, event: dict[str, Any]) -> PaymentEvent | None:
        """A card saved through Checkout, made the customer's default for invoices."""
        session = event["data"]["object"]
        customer = events.id_of(session.get("customer"))
        intent = events.id_of(session.get("setup_intent"))
        if session.get("mode") != "setup" or customer is None or intent is None:
            return None
        method = events.id_of(self._stripe.setup_intents.retrieve(intent).payment_method)
        if method is None:
            return None
        self._stripe.customers.update(
            customer, params={"invoice_settings": {"default_payment_method": method}}
        )
        return PaymentEvent(id=event["id"], kind=EventKind.CARD_CHANGED, customer=customer)


def _address(text: str) -> CustomerCreateParamsAddress | None:
    """A free-form address as Stripe's two lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    address: CustomerCreateParamsAddress = {"line1": lines[0]}
    if lines[1:]:
        address["line2"] = ", ".join(lines[1:])
    return address
