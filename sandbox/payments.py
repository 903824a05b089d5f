"""The sandbox's payment provider: it collects invoices in memory, from a card per customer,
and can be told to decline every charge until told otherwise.

It has no card page. `/card save 4242` stands in for it: the card saved there, known only by
its last 4 digits, goes to the customer whose page licensebot linked to last, and the provider
then notifies licensebot as a real one would, with a signed CARD_CHANGED event."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
from dataclasses import dataclass

from licensing.payments import (
    BillingContact,
    Card,
    Charge,
    Collection,
    EventKind,
    Outcome,
    PaymentEvent,
    WebhookRejected,
)

DECLINED = "Your card was declined."
NO_CARD = "The customer has no card on file."
PAGES = "https://payments.sandbox.invalid"  # a reserved name: no page is there
BRAND = "visa"
CARD_YEARS = 4  # a saved card expires this many years after it is saved, in December


@dataclass(frozen=True)
class Notification:
    """What the provider posts to licensebot's notification endpoint."""

    payload: bytes
    signature: str


class NoCardPage(Exception):
    """No link to the card page has been given yet, so there is no page to save a card on."""


class SimulatedProvider:
    """A `licensing.payments.PaymentProvider` in memory, safe to call from several threads
    (the bot's, the collector's and the console's)."""

    name = "sandbox"

    def __init__(self) -> None:
        self.declining = False
        self._lock = threading.Lock()
        self._cards: dict[str, Card] = {}
        self._paid: dict[int, Collection] = {}  # by licensebot's invoice number
        self._charged: list[Charge] = []
        self._page_customer: str | None = None
        self._event_numbers = itertools.count(1)
        self._secret = secrets.token_bytes(32)

    # the port

    def customer(self, account_id: int, contact: BillingContact, existing: str | None) -> str:
        return existing or f"cus_sandbox_{account_id}"

    def collect(self, charge: Charge) -> Collection:
        with self._lock:
            if charge.invoice_id in self._paid:  # asked again after a lost answer
                return self._paid[charge.invoice_id]
            provider_invoice = f"in_sandbox_{charge.invoice_id}"
            hosted_url = f"{PAGES}/invoices/{provider_invoice}"
            if charge.customer not in self._cards:
                return Collection(Outcome.FAILED, provider_invoice, hosted_url, NO_CARD)
            if self.declining:
                return Collection(Outcome.FAILED, provider_invoice, hosted_url, DECLINED)
            paid = Collection(Outcome.PAID, provider_invoice, hosted_url)
            self._paid[charge.invoice_id] = paid
            self._charged.append(charge)
            return paid

    def card(self, customer: str) -> Card | None:
        with self._lock:
            return self._cards.get(customer)

    def card_setup_url(self, customer: str, return_url: str) -> str:
        with self._lock:
            self._page_customer = customer
        return f"{PAGES}/card/{customer}"

    def read_event(self, payload: bytes, signature: str) -> PaymentEvent | None:
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise WebhookRejected("the signature is not the sandbox provider's")
        sent = json.loads(payload)
        return PaymentEvent(id=sent["id"], kind=EventKind(sent["kind"]), customer=sent["customer"])

    # what the console does in the provider's place

    def save_card(self, last4: str, year_now: int) -> Notification:
        """Save a card on the card page licensebot linked to last, as its default; the
        notification that tells licensebot so. `NoCardPage` if there is no link yet."""
        with self._lock:
            customer = self._page_customer
            if customer is None:
                raise NoCardPage()
            self._cards[customer] = Card(BRAND, last4, 12, year_now + CARD_YEARS)
            event = {
                "id": f"evt_sandbox_{next(self._event_numbers)}",
                "kind": EventKind.CARD_CHANGED.value,
                "customer": customer,
            }
        payload = json.dumps(event).encode()
        return Notification(payload, self._sign(payload))

    @property
    def charged(self) -> list[Charge]:
        """The charges paid, in order."""
        with self._lock:
            return list(self._charged)

    @property
    def cards(self) -> dict[str, Card]:
        with self._lock:
            return dict(self._cards)

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()
