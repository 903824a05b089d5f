"""Collecting invoices, and what a failed charge sets off (docs/rules.md, rule 15): retries on
a schedule, a notice at each failure, and after the last one the account is past due, which
stops purchases and plan changes and ends the subscription at its period end unless paid.

Times here are the billing clock's, like period ends, so a rehearsal with the test clock
walks through the retry days."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from licensing import notices, orm
from licensing.collection import PaymentState
from licensing.context import Context
from licensing.errors import (
    CardMissing,
    InvalidRetryDays,
    NothingToRetry,
    PaymentOverdue,
    PaymentsNotCollected,
)
from licensing.model import check_status_allows
from licensing.money import Money
from licensing.payments import Card
from licensing.schemas import PaymentFacts


def paid(context: Context, payment: orm.Payment, provider_invoice: str | None) -> None:
    """The invoice is paid: whatever was tried before. Paying everything owed ends past due."""
    if payment.state == PaymentState.PAID:
        return
    payment.state, payment.paid_at = PaymentState.PAID, context.now
    payment.attempt_open, payment.next_attempt_at = False, None
    payment.provider_invoice = provider_invoice or payment.provider_invoice
    amount = _amount(context, payment)
    context.record(
        "payment_collected",
        currency=amount.currency,
        amount_minor=amount.to_minor(),
        invoice_id=payment.invoice_id,
    )
    settled = _facts(context, payment)
    notices.payment(context, settled, receipt=True)
    notices.close_payment_buttons(context, settled)
    if context.subscription.past_due_since is not None and not unpaid(context):
        context.subscription.past_due_since = None
        context.record("payment_standing_restored")


def failed(
    context: Context, payment: orm.Payment, reason: str, hosted_url: str | None = None
) -> None:
    """A charge failed (or waits for the cardholder): retry on the schedule, or, after the
    last retry, put the account past due. Each failure is announced."""
    if payment.state != PaymentState.DUE:
        return
    payment.failures += 1
    payment.attempt_open = False
    payment.reason = reason[:300]
    payment.hosted_url = hosted_url or payment.hosted_url
    payment.first_failed_at = payment.first_failed_at or context.now
    days = retry_days(context)
    if payment.failures <= len(days):
        payment.next_attempt_at = payment.first_failed_at + timedelta(
            days=days[payment.failures - 1]
        )
    else:
        payment.state, payment.next_attempt_at = PaymentState.FAILED, None
    context.record(
        "payment_failed",
        invoice_id=payment.invoice_id,
        detail=f"attempt {payment.failures}: {reason}"[:500],
    )
    if payment.state == PaymentState.FAILED and context.subscription.past_due_since is None:
        context.subscription.past_due_since = context.now
        context.record("payment_past_due", invoice_id=payment.invoice_id)
    notices.payment(context, _facts(context, payment), receipt=False)


def voided(context: Context, payment: orm.Payment) -> None:
    """Voided at the provider: nothing is owed for it any more."""
    if payment.state in (PaymentState.PAID, PaymentState.VOID):
        return
    payment.state, payment.next_attempt_at, payment.attempt_open = PaymentState.VOID, None, False
    context.record("payment_voided", invoice_id=payment.invoice_id)
    notices.close_payment_buttons(context, _facts(context, payment))
    if context.subscription.past_due_since is not None and not unpaid(context):
        context.subscription.past_due_since = None
        context.record("payment_standing_restored")


MAX_RETRIES, LAST_RETRY_DAY = 5, 60


def retry_days(context: Context) -> tuple[int, ...]:
    """The account's own retry days, or the deployment's."""
    own = context.account.payment_retry_days
    if own:
        return tuple(int(day) for day in own.split(","))
    return context.dunning.retry_days if context.dunning else ()


def set_retry_days(context: Context, days: tuple[int, ...]) -> None:
    context.access.require_company_admin("change when failed charges are tried again")
    if context.dunning is None:
        raise PaymentsNotCollected()
    increasing = all(a < b for a, b in pairwise(days))
    if not (
        1 <= len(days) <= MAX_RETRIES and increasing and 1 <= days[0] <= days[-1] <= LAST_RETRY_DAY
    ):
        raise InvalidRetryDays(MAX_RETRIES, LAST_RETRY_DAY)
    context.account.payment_retry_days = ",".join(str(day) for day in days)
    context.record("payment_retries_set", detail=said_days(days))


def said_days(days: tuple[int, ...]) -> str:
    """`3, 5 and 7 days`."""
    numbers = [str(day) for day in days]
    listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    return f"{listed} day{'s' if days[-1] != 1 else ''}"


def retry_now(context: Context, invoice_id: int) -> orm.Payment:
    """A company admin asks for an unpaid invoice to be charged again at once."""
    context.access.require_company_admin("retry a payment")
    payment = context.repo.payment_of_invoice(context.account.id, invoice_id)
    if payment is None or payment.state not in (PaymentState.DUE, PaymentState.FAILED):
        raise NothingToRetry(invoice_id)
    _due_now(context, payment)
    context.record("payment_retry_requested", invoice_id=invoice_id)
    return payment


def card_changed(context: Context, card: Card | None) -> None:
    """Show the new card, and charge again at once what failed on the old one."""
    account = context.account
    account.card_brand = card.brand if card else None
    account.card_last4 = card.last4 if card else None
    account.card_expires = f"{card.exp_month:02d}/{card.exp_year}" if card else None
    detail = f"{card.brand} ending {card.last4}" if card else "no card on file"
    context.record("card_updated", detail=detail)
    if card is not None:
        for payment in unpaid(context):
            _due_now(context, payment)


def unpaid(context: Context) -> list[orm.Payment]:
    """Invoices of the account whose charge has failed at least once and are not paid."""
    return list(context.repo.unpaid_payments(context.account.id))


# Past due, an account may use, assign and remove its seats, but not spend more.
_NEEDS_GOOD_STANDING = frozenset(
    {"buy seats", "subscribe", "change the billing interval", "reactivate"}
)


def check_allows(context: Context, action: str) -> None:
    """The subscription's state allows `action`, and so does what the account owes."""
    check_status_allows(action, context.status)
    if action in _NEEDS_GOOD_STANDING:
        check_in_good_standing(context, action)


def check_card_on_file(context: Context) -> None:
    """Where invoices are collected, subscribing needs a card to charge."""
    if context.dunning is not None and not context.account.card_last4:
        raise CardMissing()


def check_in_good_standing(context: Context, action: str) -> None:
    if context.subscription.past_due_since is None:
        return
    owed = unpaid(context)
    total = Money.total((_amount(context, p).amount for p in owed), context.currency)
    raise PaymentOverdue(action, [p.invoice_id for p in owed], total)


def _due_now(context: Context, payment: orm.Payment) -> None:
    payment.state, payment.next_attempt_at = PaymentState.DUE, context.now


def _amount(context: Context, payment: orm.Payment) -> Money:
    invoice = context.repo.session.get_one(orm.Invoice, payment.invoice_id)
    return Money.from_minor(invoice.total_minor, invoice.currency)


def _facts(context: Context, payment: orm.Payment) -> PaymentFacts:
    account = context.account
    return PaymentFacts(
        invoice_id=payment.invoice_id,
        amount=_amount(context, payment).amount,
        state=payment.state,
        failures=payment.failures,
        reason=payment.reason,
        next_attempt_at=payment.next_attempt_at,
        hosted_url=payment.hosted_url,
        card=f"{account.card_brand} ending {account.card_last4}" if account.card_last4 else None,
        subscription_ends_at=(
            context.subscription.current_period_end if context.subscription.past_due_since else None
        ),
    )
