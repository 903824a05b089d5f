"""Stripe as licensebot's payment provider, through Stripe's official SDK.

A licensebot invoice becomes one Stripe invoice, found again by its metadata, so a collection
cut short anywhere (a crash, a timeout, a rate limit) is finished by calling `collect` again:
the lines already at Stripe are not added twice, the invoice is not made twice, and a paid
invoice is not paid again. Calls for one customer are expected one at a time.
"""

from __future__ import annotations

from typing import Any

import stripe
from stripe.params import (
    CustomerCreateParams,
    CustomerCreateParamsAddress,
    CustomerUpdateParams,
    InvoiceItemCreateParams,
)

from licensing.payments import (
    BillingContact,
    Card,
    Charge,
    ChargeLine,
    Collection,
    EventKind,
    Outcome,
    PaymentEvent,
    WebhookRejected,
)
from payments import stripe_events as events
from payments.stripe_errors import InvoiceMismatch, provider_call

ACCOUNT_KEY = "licensebot_account"
INVOICE_KEY = events.INVOICE_KEY
LINE_KEY = "licensebot_line"
VAT_KEY = "vat_id"
WEBHOOK_TOLERANCE_SECONDS = 300
# Stripe refuses to pay off-session until the cardholder confirms: with the first code when
# it pays an invoice, with the second when it charges a card directly.
NEEDS_ACTION = frozenset({"invoice_payment_intent_requires_action", "authentication_required"})
NO_CARD = "There is no card on file at Stripe to charge."


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, webhook_secret: str, api_base: str | None = None) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=3,
        )
        self._stripe = self._client.v1
        self._webhook_secret = webhook_secret

    @provider_call
    def customer(self, account_id: int, contact: BillingContact, existing: str | None) -> str:
        address = _address(contact.address)
        found = existing or self._customer_made_for(account_id, contact.email)
        if found is None:
            new: CustomerCreateParams = {"name": contact.company, "email": contact.email}
            new["metadata"] = {ACCOUNT_KEY: str(account_id)}
            if address:  # localstripe takes no "" for an address it has not got
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
        invoice = self._find_invoice(charge) or self._make_invoice(charge)
        _check_amount(invoice, charge)
        if invoice.status == "paid":
            return Collection(Outcome.PAID, invoice.id, _page(invoice))
        if invoice.status == "void":
            reason = f"Stripe invoice {invoice.id} was voided."
            return Collection(Outcome.FAILED, invoice.id, _page(invoice), reason)
        return self._pay(invoice, charge.customer)

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

    # The customer

    def _customer_made_for(self, account_id: int, email: str) -> str | None:
        """A customer made for the account by an earlier call whose answer was lost."""
        if not email:
            return None
        listed = self._stripe.customers.list(params={"email": email, "limit": 100})
        for found in listed.auto_paging_iter():
            if _metadata(found.metadata, ACCOUNT_KEY) == str(account_id):
                return found.id
        return None

    def _set_vat_id(self, customer: stripe.Customer, vat_id: str) -> None:
        """The VAT number as the customer's tax id; one Stripe refuses (not an EU VAT number,
        or one it cannot validate) is kept in the customer's metadata instead."""
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
        if (_metadata(customer.metadata, VAT_KEY) or "") != refused:
            self._stripe.customers.update(customer.id, params={"metadata": {VAT_KEY: refused}})

    # Collecting

    def _find_invoice(self, charge: Charge) -> stripe.Invoice | None:
        # Listed, not searched: Stripe's search is eventually consistent, and would miss an
        # invoice made a moment before a crash.
        listed = self._stripe.invoices.list(params={"customer": charge.customer, "limit": 100})
        for invoice in listed.auto_paging_iter():
            if _metadata(invoice.metadata, INVOICE_KEY) == str(charge.invoice_id):
                return invoice
        return None

    def _make_invoice(self, charge: Charge) -> stripe.Invoice:
        present = self._pending_lines(charge)
        for index, line in enumerate(charge.lines):
            if index not in present:
                self._stripe.invoice_items.create(params=_item(charge, index, line))
        return self._create_invoice(charge)

    def _create_invoice(self, charge: Charge) -> stripe.Invoice:
        # The invoice takes the customer's pending items: localstripe adds no item made for an
        # existing invoice to its lines. Only parameters both Stripe and localstripe take are
        # passed: Stripe's defaults are what licensebot wants (charge_automatically, and
        # auto_advance false, so Stripe neither finalizes nor retries on its own), localstripe
        # answers auto_advance with a 500 and has no finalize endpoint, and paying a draft
        # finalizes it on both. localstripe ignores the idempotency key; Stripe honours it.
        metadata = {INVOICE_KEY: str(charge.invoice_id), ACCOUNT_KEY: str(charge.account_id)}
        return self._stripe.invoices.create(
            params={
                "customer": charge.customer,
                "pending_invoice_items_behavior": "include",
                "metadata": metadata,
            },
            options={"idempotency_key": f"licensebot-invoice-{charge.invoice_id}"},
        )

    def _pending_lines(self, charge: Charge) -> set[int]:
        """The charge's lines already waiting at Stripe as pending invoice items.

        Every pending item goes into the next invoice, so no other may stay: an item licensebot
        made for another invoice, or a stale or doubled copy of a line, is deleted (its invoice
        makes it again when collected); an item licensebot did not make stops the collection.
        """
        present: set[int] = set()
        for item in self._pending_items(charge.customer):
            line = _line_of(item, charge)
            if line is not None and line not in present:
                present.add(line)
            elif _metadata(item.metadata, INVOICE_KEY) is not None:
                self._stripe.invoice_items.delete(item.id)
            else:
                raise InvoiceMismatch(
                    f"Stripe customer {charge.customer} has pending invoice item {item.id} that"
                    f" licensebot did not make; it would be charged with licensebot invoice"
                    f" {charge.invoice_id}"
                )
        return present

    def _pending_items(self, customer: str) -> list[stripe.InvoiceItem]:
        # Filtered here rather than with `pending=true`, which localstripe answers with a 500.
        listed = self._stripe.invoice_items.list(params={"customer": customer, "limit": 100})
        return [item for item in listed.auto_paging_iter() if item.invoice is None]

    def _pay(self, invoice: stripe.Invoice, customer: str) -> Collection:
        if not self._has_payment_method(customer):
            return Collection(Outcome.FAILED, invoice.id, _page(invoice), NO_CARD)
        try:
            paid = self._stripe.invoices.pay(invoice.id)
        except (stripe.CardError, stripe.InvalidRequestError) as error:
            return self._refused(invoice.id, error)
        if paid.status == "paid":
            return Collection(Outcome.PAID, paid.id, _page(paid))
        return self._left_open(paid)

    def _has_payment_method(self, customer: str) -> bool:
        found = self._stripe.customers.retrieve(customer)
        settings = found.invoice_settings
        return bool(settings and settings.default_payment_method) or bool(found.default_source)

    def _refused(self, invoice: str, error: stripe.StripeError) -> Collection:
        if error.code in NEEDS_ACTION:
            url = _page(self._stripe.invoices.retrieve(invoice))
            return Collection(Outcome.ACTION_REQUIRED, invoice, url)
        if isinstance(error, stripe.CardError):
            url = _page(self._stripe.invoices.retrieve(invoice))
            return Collection(Outcome.FAILED, invoice, url, error.user_message)
        raise error

    def _left_open(self, invoice: stripe.Invoice) -> Collection:
        """What became of a payment that Stripe answered without paying: localstripe leaves a
        declined or unconfirmed invoice open rather than answering with an error, as Stripe does."""
        intent_id = events.unexpanded_payment_intent(invoice.to_dict())
        intent = self._stripe.payment_intents.retrieve(intent_id) if intent_id else None
        url = _page(invoice)
        if intent is not None and intent.status == "requires_action":
            return Collection(Outcome.ACTION_REQUIRED, invoice.id, url)
        error = intent.last_payment_error if intent is not None else None
        reason = (error.message if error else None) or f"Stripe left the invoice {invoice.status}."
        return Collection(Outcome.FAILED, invoice.id, url, reason)

    # Events

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


def _check_amount(invoice: stripe.Invoice, charge: Charge) -> None:
    expected = (charge.currency.lower(), charge.total_minor, charge.total_minor)
    if (invoice.currency, invoice.total, invoice.amount_due) != expected:
        raise InvoiceMismatch(
            f"Stripe invoice {invoice.id} for licensebot invoice {charge.invoice_id} comes to"
            f" {invoice.total} (due {invoice.amount_due}) {invoice.currency.upper()}, not"
            f" {charge.total_minor} {charge.currency}: it is not collected"
        )


def _item(charge: Charge, index: int, line: ChargeLine) -> InvoiceItemCreateParams:
    return {
        "customer": charge.customer,
        "amount": line.amount_minor,
        "currency": charge.currency.lower(),
        "description": line.description,
        "metadata": {INVOICE_KEY: str(charge.invoice_id), LINE_KEY: str(index)},
    }


def _line_of(item: stripe.InvoiceItem, charge: Charge) -> int | None:
    """The index of the charge's line that a pending item is an exact copy of, if any."""
    if _metadata(item.metadata, INVOICE_KEY) != str(charge.invoice_id):
        return None
    index = _metadata(item.metadata, LINE_KEY) or ""
    if not index.isdigit() or int(index) >= len(charge.lines):
        return None
    line = charge.lines[int(index)]
    exact = (item.amount, item.currency, item.description)
    return (
        int(index)
        if exact == (line.amount_minor, charge.currency.lower(), line.description)
        else None
    )


def _page(invoice: stripe.Invoice) -> str | None:
    """Where the customer sees the invoice; localstripe's invoices have no such page."""
    return invoice.hosted_invoice_url if "hosted_invoice_url" in invoice else None


def _metadata(metadata: stripe.StripeObject | None, key: str) -> str | None:
    return str(metadata[key]) if metadata is not None and key in metadata else None


def _address(text: str) -> CustomerCreateParamsAddress | None:
    """A free-form address as Stripe's two lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    address: CustomerCreateParamsAddress = {"line1": lines[0]}
    if lines[1:]:
        address["line2"] = ", ".join(lines[1:])
    return address
