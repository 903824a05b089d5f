"""The payment outbox's bookkeeping: which invoices are due to be charged, and what became of
each attempt. An invoice is put in the outbox by the transaction that writes it and charged
after that commits, so a rolled-back change never charges anything.

An account's invoices are charged one at a time, oldest first: one waiting for a retry holds
back the later ones, which would fail on the same card anyway. `next_attempt_at` is on the
billing clock (the retry days); the lease is real time, like the notice outbox's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, aliased

from licensing import dunning, orm
from licensing.catalog import Catalog
from licensing.collection import PaymentState
from licensing.context import Context
from licensing.payments import Charge, ChargeLine, Collection, Outcome
from licensing.words import plural

NO_CARD = (
    "No card is on file. A company admin adds one with `/license subscription billing`; "
    "the charge is then tried again at once."
)


@dataclass(frozen=True)
class ChargeJob:
    """One claimed attempt to collect an invoice; `charge` is None when the account has no
    customer at the provider yet, so there is nothing to charge."""

    payment_id: int
    attempt: int
    charge: Charge | None


def claim(
    session: Session,
    catalog: Catalog,
    now: datetime,
    real_now: datetime,
    limit: int,
    lease: timedelta,
) -> list[ChargeJob]:
    """Up to `limit` payments due at `now`, each its account's oldest due one, held until
    `real_now + lease` so no other collector takes them; rows being claimed elsewhere are
    skipped."""
    payments = session.scalars(_due(now, real_now).limit(limit)).all()
    jobs = []
    for payment in payments:
        payment.attempts += 1
        payment.attempt_open = True
        payment.leased_until = real_now + lease
        jobs.append(ChargeJob(payment.id, payment.attempts, _charge(session, catalog, payment)))
    return jobs


def _due(now: datetime, real_now: datetime) -> Select[orm.Payment]:
    earlier = aliased(orm.Payment)
    held_back = exists().where(
        earlier.account_id == orm.Payment.account_id,
        earlier.state == PaymentState.DUE,
        earlier.id < orm.Payment.id,
    )
    return (
        select(orm.Payment)
        .where(
            orm.Payment.state == PaymentState.DUE,
            orm.Payment.next_attempt_at <= now,
            or_(orm.Payment.leased_until.is_(None), orm.Payment.leased_until <= real_now),
            ~held_back,
        )
        .order_by(orm.Payment.next_attempt_at, orm.Payment.id)
        .with_for_update(skip_locked=True, of=orm.Payment)
    )


def _charge(session: Session, catalog: Catalog, payment: orm.Payment) -> Charge | None:
    account = session.get_one(orm.Account, payment.account_id)
    if account.payment_customer is None:
        return None
    invoice = session.get_one(orm.Invoice, payment.invoice_id)
    return Charge(
        invoice_id=invoice.id,
        account_id=account.id,
        customer=account.payment_customer,
        currency=invoice.currency,
        lines=tuple(
            ChargeLine(_describe(line, catalog), line.amount_minor)
            for line in invoice.lines
            if line.amount_minor
        ),
    )


def _describe(line: orm.InvoiceLine, catalog: Catalog) -> str:
    """`Talk · Main · 5 seats`: what the provider's invoice shows for the line."""
    return f"{catalog.name_of(line.product_id)} · {line.office_name} · {plural(line.seats, 'seat')}"


def record(context: Context, job: ChargeJob, collection: Collection) -> None:
    """What the attempt came to. A payment is always recorded paid; a failure counts only if
    this attempt's outcome is not known yet (the provider's notification may have come first)."""
    payment = context.uow.session.get_one(orm.Payment, job.payment_id)
    payment.leased_until = None
    payment.provider_invoice = collection.provider_invoice
    payment.hosted_url = collection.hosted_url or payment.hosted_url
    if collection.outcome is Outcome.PAID:
        dunning.paid(context, payment, collection.provider_invoice)
    elif payment.attempt_open and payment.attempts == job.attempt:
        dunning.failed(context, payment, collection.reason or "declined", collection.hosted_url)


def record_no_card(context: Context, job: ChargeJob) -> None:
    payment = context.uow.session.get_one(orm.Payment, job.payment_id)
    payment.leased_until = None
    if payment.attempt_open and payment.attempts == job.attempt:
        dunning.failed(context, payment, NO_CARD)


def give_back(session: Session, job: ChargeJob, until: datetime) -> None:
    """The provider could not be reached: nothing is known to have happened. The attempt is
    not counted, and the payment is claimed again once `until` (real time) has passed; the
    provider finds what the attempt made, if anything, by the invoice number."""
    payment = session.get_one(orm.Payment, job.payment_id)
    if payment.attempts == job.attempt and payment.state == PaymentState.DUE:
        payment.attempts -= 1
        payment.attempt_open = False
        payment.leased_until = until
