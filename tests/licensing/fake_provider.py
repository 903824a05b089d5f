"""A payment provider in memory, for tests of what licensebot does with its answers."""

from __future__ import annotations

from collections import deque

from licensing.payments import (
    BillingContact,
    Card,
    Charge,
    Collection,
    Outcome,
    PaymentEvent,
    ProviderUnavailable,
)

DECLINED = "Your card was declined."


class FakeProvider:
    """Charges in memory; each answer can be set to decline or to be unreachable."""

    name = "fake"

    def __init__(self) -> None:
        self.charges: list[Charge] = []
        self.answers: deque[Outcome | ProviderUnavailable] = deque()

    def collect(self, charge: Charge) -> Collection:
        answer = self.answers.popleft() if self.answers else Outcome.PAID
        if isinstance(answer, ProviderUnavailable):
            raise answer
        self.charges.append(charge)
        reason = None if answer is Outcome.PAID else DECLINED
        return Collection(
            answer, f"in_{charge.invoice_id}", f"https://pay/{charge.invoice_id}", reason
        )

    def customer(self, account_id: int, contact: BillingContact, existing: str | None) -> str:
        return existing or f"cus_{account_id}"

    def card(self, customer: str) -> Card | None:
        return Card("visa", "4242", 12, 2030)

    def card_setup_url(self, customer: str, return_url: str) -> str:
        return f"https://pay/setup/{customer}"

    def read_event(self, payload: bytes, signature: str) -> PaymentEvent | None:
        return None
