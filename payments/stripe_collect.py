"""Collecting one licensebot invoice through Stripe, exactly once.

A licensebot invoice becomes one Stripe invoice, found again by its metadata, so a collection
cut short anywhere (a crash, a timeout, a rate limit) is finished by collecting again: the
lines already at Stripe are not added twice, the invoice is not made twice, and a paid invoice
is not paid again. Collections for one customer are expected one at a time.
"""

from __future__ import annotations

import stripe
from stripe.params import InvoiceItemCreateParams

from licensing.payments import Charge, ChargeLine, Collection, Outcome
from payments import stripe_events as events
from payments.stripe_errors import InvoiceMismatch

ACCOUNT_KEY = "licensebot_account"
INVOICE_KEY = events.INVOICE_KEY
LINE_KEY = "licensebot_line"
# Stripe refuses to pay off-session until the cardholder confirms: with the first code when
# it pays an invoice, with the second when it charges a card directly.
NEEDS_ACTION = frozenset({"invoice_payment_intent_requires_action", "authentication_required"})
NO_CARD = "There is no card on file at Stripe to charge."


class InvoiceCollector:
    def __init__(self, api: stripe.V1Services) -> None:
        self._stripe = api

    def collect(self, charge: Charge) -> Collection:
        invoice = self._find_invoice(charge) or self._make_invoice(charge)
        _check_amount(invoice, charge)
        if invoice.status == "paid":
            return Collection(Outcome.PAID, invoice.id, _page(invoice))
        if invoice.status == "void":
            reason = f"Stripe invoice {invoice.id} was voided."
            return Collection(Outcome.FAILED, invoice.id, _page(invoice), reason)
        return self._pay(invoice, charge.customer)

    def _find_invoice(self, charge: Charge) -> stripe.Invoice | None:
        # Listed, not searched: Stripe's search is eventually consistent, and would miss an
        # invoice made a moment before a crash.
        listed = self._stripe.invoices.list(params={"customer": charge.customer, "limit": 100})
        for invoice in listed.auto_paging_iter():
            if metadata_value(invoice.metadata, INVOICE_KEY) == str(charge.invoice_id):
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
            elif metadata_value(item.metadata, INVOICE_KEY) is not None:
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
        """What became of a payment that Stripe answered without paying: localstripe leaves
        a declined or unconfirmed invoice open, where Stripe answers with an error."""
        intent_id = events.unexpanded_payment_intent(invoice.to_dict())
        intent = self._stripe.payment_intents.retrieve(intent_id) if intent_id else None
        url = _page(invoice)
        if intent is not None and intent.status == "requires_action":
            return Collection(Outcome.ACTION_REQUIRED, invoice.id, url)
        error = intent.last_payment_error if intent is not None else None
        reason = (error.message if error else None) or f"Stripe left the invoice {invoice.status}."
        return Collection(Outcome.FAILED, invoice.id, url, reason)


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
    if metadata_value(item.metadata, INVOICE_KEY) != str(charge.invoice_id):
        return None
    index = metadata_value(item.metadata, LINE_KEY) or ""
    if not index.isdigit() or int(index) >= len(charge.lines):
        return None
    line = charge.lines[int(index)]
    wanted = (line.amount_minor, charge.currency.lower(), line.description)
    if (item.amount, item.currency, item.description) != wanted:
        return None
    return int(index)


def _page(invoice: stripe.Invoice) -> str | None:
    """Where the customer sees the invoice; localstripe's invoices have no such page."""
    return invoice.hosted_invoice_url if "hosted_invoice_url" in invoice else None


def metadata_value(metadata: stripe.StripeObject | None, key: str) -> str | None:
    return str(metadata[key]) if metadata is not None and key in metadata else None
