"""The payment port: what licensebot asks of whoever collects its invoices.

licensebot keeps its own exact invoices; a provider only collects them. It is told each
invoice's lines in minor units and must charge exactly their sum, never re-pricing them.
Every call may be repeated after a crash or a timeout: a provider finds what an earlier
call made (by licensebot's invoice number) rather than making it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class ChargeLine:
    description: str
    amount_minor: int


@dataclass(frozen=True)
class Charge:
    """One licensebot invoice to collect from the account's customer at the provider."""

    invoice_id: int
    account_id: int
    customer: str
    currency: str  # ISO 4217, as licensebot writes it (upper case)
    lines: tuple[ChargeLine, ...]

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)


class Outcome(StrEnum):
    PAID = "paid"
    FAILED = "failed"  # declined, or no usable payment method
    ACTION_REQUIRED = "action_required"  # the bank asks the cardholder to confirm (3-D Secure)


@dataclass(frozen=True)
class Collection:
    """What became of one attempt to collect an invoice."""

    outcome: Outcome
    provider_invoice: str
    hosted_url: str | None = None  # where the customer sees (and can pay) the invoice
    reason: str | None = None  # the provider's words when it was not paid


@dataclass(frozen=True)
class Card:
    """What licensebot may show of a payment method: never its number."""

    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class BillingContact:
    """What an invoice names: it goes to the provider's customer record."""

    company: str
    email: str
    address: str = ""
    vat_id: str = ""


class EventKind(StrEnum):
    INVOICE_PAID = "invoice_paid"
    INVOICE_FAILED = "invoice_failed"
    ACTION_REQUIRED = "action_required"
    INVOICE_VOIDED = "invoice_voided"
    CARD_CHANGED = "card_changed"  # a card was saved, or the default one changed


@dataclass(frozen=True)
class PaymentEvent:
    """A provider's notification, verified and read. Each `id` is acted on once."""

    id: str
    kind: EventKind
    customer: str | None = None
    invoice_id: int | None = None  # licensebot's invoice number, from the provider's metadata
    provider_invoice: str | None = None
    hosted_url: str | None = None
    reason: str | None = None


class WebhookRejected(Exception):
    """A notification that is not the provider's: a bad or missing signature, or too old."""


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered with a server error: nothing is known to
    have happened, so the same call is made again later."""


class PaymentProvider(Protocol):
    """A payment provider, as licensing and the scheduler use it."""

    name: str

    def customer(self, account_id: int, contact: BillingContact, existing: str | None) -> str:
        """The account's customer id: `existing` updated with `contact`, or a new customer."""
        ...

    def collect(self, charge: Charge) -> Collection:
        """Charge the customer's default payment method for `charge`, once: an invoice
        already made for the same licensebot invoice is found and paid (or reported paid)."""
        ...

    def card(self, customer: str) -> Card | None:
        """The customer's default payment method, if there is one."""
        ...

    def card_setup_url(self, customer: str, return_url: str) -> str:
        """A fresh link to the provider's page where the customer saves a card."""
        ...

    def read_event(self, payload: bytes, signature: str) -> PaymentEvent | None:
        """The notification, verified (`WebhookRejected` if it is not the provider's), or
        None for a kind licensebot does not act on. A card saved through the provider's page
        is made the customer's default here, before CARD_CHANGED is reported."""
        ...
