"""Buying, removing and restoring seats (rules 1-3, and 6 for trials)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from licensing import dunning, orm
from licensing.calendar import Period, ProrationMode
from licensing.context import Context, seat_counts, seats_of
from licensing.model import (
    FREE_TRIAL,
    Seats,
    check_seat_count,
    prorated_charge,
)
from licensing.money import Money
from licensing.schemas import InvoiceLineView, PurchaseQuote, SeatChange


@dataclass(frozen=True)
class PoolChange:
    office: orm.Office
    product_id: str
    product_name: str
    before: Seats
    after: Seats

    def key(self) -> tuple[int, str]:
        return (self.office.id, self.product_id)


def plan_change(
    context: Context,
    action: str,
    product_text: str,
    office_text: str | None,
    count: int,
    max_seats: int,
    rule: Callable[[Seats, int], Seats],
) -> PoolChange:
    """Resolve and check a request on one pool, and the pool's counts after `rule`."""
    check_seat_count(count, max_seats)
    product = context.product(product_text)
    office = context.office(office_text)
    context.access.require_office(office.id, office.name, action)
    dunning.check_allows(context, action)
    before = seats_of(context.find_pool(office.id, product.id))
    return PoolChange(office, product.id, product.name, before, rule(before, count))


def apply_change(context: Context, change: PoolChange) -> orm.Pool:
    pool = context.pool(change.office, context.product(change.product_id))
    if seats_of(pool) != change.before:
        raise AssertionError("pool changed inside a locked transaction")
    context.store(pool, change.after)
    return pool


# purchase


def quote_purchase(
    context: Context,
    count: int,
    product: str,
    office: str | None,
    max_seats: int,
    priced_at: datetime,
) -> tuple[PoolChange, PurchaseQuote]:
    change = plan_change(context, "buy seats", product, office, count, max_seats, Seats.buy)
    plan = change.before.plan_purchase(count)
    trial = context.status in FREE_TRIAL
    period = context.current_period()
    amount = Money.zero(context.currency)
    if not trial:
        unit_price = context.unit_price(change.product_id)
        amount = prorated_charge(
            unit_price,
            plan.added,
            period,
            priced_at,
            context.catalog.proration,
            context.tz,
            context.currency,
        )
    quote = PurchaseQuote(
        office=change.office.name,
        product_id=change.product_id,
        product_name=change.product_name,
        requested=count,
        restored=plan.restored,
        charged_seats=0 if trial else plan.added,
        amount=amount.amount,
        currency=context.currency,
        covers_start=priced_at,
        covers_end=period.end,
        priced_at=priced_at,
        free_trial=trial,
        pool_after=seat_counts(change.after),
        next_invoice_estimate=context.next_invoice_estimate({change.key(): change.after}),
        time_zone=context.account.time_zone,
        period_start=period.start,
        by_days=context.catalog.proration is ProrationMode.DAYS,
    )
    return change, quote


def purchase(context: Context, change: PoolChange, quote: PurchaseQuote) -> PurchaseQuote:
    apply_change(context, change)
    common = {"office_name": quote.office, "product_id": quote.product_id}
    if quote.restored:
        context.record("seats_restored", seats=quote.restored, **common)
    added = quote.pool_after.purchased - change.before.purchased
    if quote.free_trial:
        context.record("trial_seats_added", seats=added, **common)
        return quote
    if not added:
        return quote
    line = InvoiceLineView(
        product_id=quote.product_id,
        product_name=quote.product_name,
        office=quote.office,
        seats=added,
        unit_price=context.unit_price(quote.product_id),
        amount=quote.amount,
    )
    covers = Period(context.subscription.period_index, quote.covers_start, quote.covers_end)
    invoice = context.invoice("purchase", covers, [line], "seats_purchased")
    return quote.model_copy(update={"invoice_id": invoice.id})


# removal and restore


def plan_removal(
    context: Context, count: int, product: str, office: str | None, max_seats: int
) -> tuple[PoolChange, SeatChange]:
    immediate = context.status in FREE_TRIAL
    rule = Seats.remove_now if immediate else Seats.schedule_removal
    change = plan_change(context, "remove seats", product, office, count, max_seats, rule)
    return change, _seat_change(context, change, count, immediate)


def plan_restore(
    context: Context, count: int, product: str, office: str | None, max_seats: int
) -> tuple[PoolChange, SeatChange]:
    change = plan_change(context, "restore seats", product, office, count, max_seats, Seats.restore)
    return change, _seat_change(context, change, count, immediate=True)


def _seat_change(context: Context, change: PoolChange, count: int, immediate: bool) -> SeatChange:
    return SeatChange(
        office=change.office.name,
        product_id=change.product_id,
        product_name=change.product_name,
        count=count,
        takes_effect=context.now if immediate else context.current_period().end,
        immediate=immediate,
        pool_after=seat_counts(change.after),
        next_invoice_estimate=context.next_invoice_estimate({change.key(): change.after}),
        currency=context.currency,
        time_zone=context.account.time_zone,
    )


def apply_seat_change(
    context: Context, change: PoolChange, result: SeatChange, event: str
) -> SeatChange:
    apply_change(context, change)
    context.record(
        event, office_name=result.office, product_id=result.product_id, seats=result.count
    )
    return result
