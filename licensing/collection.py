"""An invoice's collection through the payment provider: its states, and the terms on which
failed charges are retried (the rules that act on them are in `licensing.dunning`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from licensing import orm

DEFAULT_RETRY_DAYS = (3, 5, 7)


@dataclass(frozen=True)
class Dunning:
    """Invoices are collected, and a failed charge is retried this many days after the first
    failure. Without it, invoices are records only."""

    retry_days: tuple[int, ...] = DEFAULT_RETRY_DAYS


class PaymentState(StrEnum):
    DUE = "due"  # to be charged at its next attempt: the first, or a retry after a failure
    PAID = "paid"
    FAILED = "failed"  # the retries ran out
    VOID = "void"


def to_collect(invoice: orm.Invoice) -> orm.Payment:
    """An invoice's place in the payment outbox, due at once."""
    return orm.Payment(
        account_id=invoice.account_id,
        state=PaymentState.DUE,
        attempts=0,
        failures=0,
        attempt_open=False,
        next_attempt_at=invoice.created_at,
    )
