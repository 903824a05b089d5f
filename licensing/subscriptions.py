"""Trial, subscribe, cancel, reactivate and period ends (rules 6-8)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from licensing import dunning, notices, orm
from licensing.calendar import Interval, billing_period, following_period
from licensing.card_data import holds_card_data
from licensing.contact import one_line
from licensing.context import MAIN_OFFICE, Context, ledger_row, office_key, seats_of
from licensing.errors import (
    BillingDetailsMissing,
    CardDataRefused,
    IntervalUnchanged,
    InvalidSeatCount,
    SeatsBelowAssigned,
)
from licensing.model import FREE_TRIAL, RoleName, Seats, Status
from licensing.money import Money
from licensing.payments import BillingContact
from licensing.reports import invoice_view
from licensing.repository import Repository
from licensing.schemas import (
    AccountKey,
    InvoiceView,
    PeriodClosed,
    PoolTarget,
    RemovedSeats,
    SubscribeQuote,
    SubscriptionChange,
)


def open_account(
    repo: Repository,
    key: AccountKey,
    installer_id: str,
    now: datetime,
    trial_days: int,
    time_zone: str,
) -> orm.Account:
    """A new account on a free trial, with its Main office and the installer as company admin."""
    account = orm.Account(
        team_id=key.team_id, enterprise_id=key.enterprise_id, time_zone=time_zone, created_at=now
    )
    repo.add(account)
    repo.flush()
    trial_end = now + timedelta(days=trial_days)
    repo.add(
        orm.Subscription(
            account_id=account.id,
            status=Status.TRIALING,
            interval=Interval.MONTH,
            anchor=now,
            period_index=0,
            current_period_start=now,
            current_period_end=trial_end,
            trial_end=trial_end,
            remind_at=trial_end - timedelta(days=account.notice_lead_days),
        )
    )
    repo.add(orm.Office(account_id=account.id, name=MAIN_OFFICE, name_key=office_key(MAIN_OFFICE)))
    repo.add(orm.Role(account_id=account.id, user_id=installer_id, role=RoleName.COMPANY_ADMIN))
    detail = f"trial ends {trial_end.isoformat()}"
    repo.append_ledger(ledger_row(account, now, "trial_started", installer_id, detail=detail))
    return account


# subscribe


def quote_subscribe(
    context: Context,
    interval: Interval,
    targets: list[PoolTarget],
    max_seats: int,
    start_now: bool = False,
) -> tuple[dict[tuple[int, str], Seats], SubscribeQuote]:
    """Subscribing during the free trial keeps it: the first period starts, and is charged,
    when it ends. `start_now` starts it at once instead, giving up the rest of the trial."""
    context.access.require_company_admin("subscribe")
    dunning.check_allows(context, "subscribe")
    counts = _target_counts(context, targets, max_seats)
    trial_end = context.subscription.current_period_end if context.status in FREE_TRIAL else None
    keeps_trial = trial_end is not None and not start_now
    start = trial_end if keeps_trial and trial_end else context.now
    period = billing_period(start, interval, 0, context.tz)
    lines = context.renewal_lines(counts, interval)
    quote = SubscribeQuote(
        interval=interval,
        period_start=period.start,
        period_end=period.end,
        currency=context.currency,
        lines=lines,
        total=Money.total((line.amount for line in lines), context.currency).amount,
        time_zone=context.account.time_zone,
        trial_end=trial_end,
        keeps_trial=keeps_trial,
        priced_at=context.now,
    )
    return counts, quote


def _target_counts(
    context: Context, targets: list[PoolTarget], max_seats: int
) -> dict[tuple[int, str], Seats]:
    """Each pool's count after subscribing: as asked, or as it stands; never below assigned."""
    counts: dict[tuple[int, str], Seats] = {}
    for target in targets:
        if not 0 <= target.seats <= max_seats:
            raise InvalidSeatCount(target.seats, max_seats)
        product = context.product(target.product)
        office = context.office(target.office)
        seats = seats_of(context.find_pool(office.id, product.id))
        if target.seats < seats.assigned:
            raise SeatsBelowAssigned(office.name, product, target.seats, seats.assigned)
        counts[(office.id, product.id)] = seats.set_count(target.seats)
    return counts


def subscribe(
    context: Context,
    interval: Interval,
    counts: dict[tuple[int, str], Seats],
    quote: SubscribeQuote,
) -> SubscribeQuote:
    if not context.account.billing_details:
        raise BillingDetailsMissing()
    dunning.check_card_on_file(context)
    for (office_id, product_id), seats in counts.items():
        office = context.office_by_id(office_id)
        context.store(context.pool(office, context.product(product_id)), seats)
    context.subscription.interval = interval
    if quote.keeps_trial:
        context.subscription.status = Status.CONVERTING
        context.record("subscription_scheduled", detail=f"billed {interval}ly from the trial end")
        notices.write_due_reminders(context)  # inside the lead time, announce it now
        return quote
    invoice = _start_paid_period(context, quote.period_start, "subscription_started")
    return quote.model_copy(update={"invoice_id": invoice.id})


def _start_paid_period(context: Context, start: datetime, event: str) -> orm.Invoice:
    """Open period 0 at `start` and charge it in advance, in full, for the seats held."""
    subscription = context.subscription
    if subscription.next_interval:
        subscription.interval, subscription.next_interval = subscription.next_interval, None
    period = billing_period(start, context.interval, 0, context.tz)
    subscription.status, subscription.anchor, subscription.period_index = Status.ACTIVE, start, 0
    subscription.current_period_start, subscription.current_period_end = period.start, period.end
    notices.plan_reminders(context)
    context.record(event, detail=f"billed {context.interval}ly")
    return context.invoice("subscription", period, context.renewal_lines(), "subscribed")


# cancel and reactivate


def quote_cancel(context: Context) -> SubscriptionChange:
    context.access.require_company_admin("cancel the subscription")
    dunning.check_allows(context, "cancel")
    return _change_to(context, _CANCELED_TO[context.status])


def cancel(context: Context) -> SubscriptionChange:
    """An active subscription ends with its period; one waiting for the trial's end is
    dropped, and the trial then ends as if never converted."""
    context.subscription.status = _CANCELED_TO[context.status]
    context.record("cancellation_scheduled")
    notices.write_due_reminders(context)
    return subscription_change(context)


_CANCELED_TO = {Status.ACTIVE: Status.CANCELING, Status.CONVERTING: Status.TRIALING}


def quote_reactivate(context: Context) -> SubscriptionChange:
    context.access.require_company_admin("reactivate the subscription")
    dunning.check_allows(context, "reactivate")
    return _change_to(context, Status.ACTIVE)


def reactivate(context: Context) -> SubscriptionChange:
    context.subscription.status = Status.ACTIVE
    context.record("reactivated")
    notices.write_due_reminders(context)
    return subscription_change(context)


def _change_to(
    context: Context, status: Status, next_interval: Interval | None = None
) -> SubscriptionChange:
    renewing = status in (Status.ACTIVE, Status.CONVERTING)
    lines = context.renewal_lines(interval=next_interval)
    estimate = Money.total((line.amount for line in lines), context.currency)
    return SubscriptionChange(
        status=status,
        ends_at=context.subscription.current_period_end,
        next_invoice_estimate=(estimate if renewing else Money.zero(context.currency)).amount,
        currency=context.currency,
        time_zone=context.account.time_zone,
        next_interval=next_interval or context.subscription.next_interval,
    )


def set_billing_details(context: Context, details: str) -> SubscriptionChange:
    context.access.require_company_admin("change billing details")
    if holds_card_data(details):
        raise CardDataRefused()
    context.account.billing_details = details.strip()[:200] or None
    context.record("billing_details_updated")
    return subscription_change(context)


def set_billing_contact(context: Context, contact: BillingContact) -> SubscriptionChange:
    context.access.require_company_admin("change billing details")
    account = context.account
    account.billing_company, account.billing_email = contact.company, contact.email
    account.billing_address = contact.address or None
    account.billing_vat_id = contact.vat_id or None
    account.billing_details = one_line(contact)[:200]
    context.record("billing_details_updated", detail=account.billing_details)
    return subscription_change(context)


def stored_contact(account: orm.Account) -> BillingContact:
    """Who invoices name: the contact entered, or else the one-line billing details."""
    if account.billing_company and account.billing_email:
        return BillingContact(
            company=account.billing_company,
            email=account.billing_email,
            address=account.billing_address or "",
            vat_id=account.billing_vat_id or "",
        )
    return BillingContact(company=account.billing_details or account.team_id, email="")


def subscription_change(context: Context) -> SubscriptionChange:
    return SubscriptionChange(
        status=context.status,
        ends_at=context.subscription.current_period_end,
        next_invoice_estimate=context.next_invoice_estimate(),
        currency=context.currency,
        time_zone=context.account.time_zone,
        next_interval=context.subscription.next_interval,
    )


# period end


def close_period(context: Context) -> PeriodClosed:
    """Close the due period of a locked subscription: expire a trial, end a cancellation,
    or apply removals and charge the next period in advance."""
    subscription = context.subscription
    period_end = context.current_period().end
    recipients = notices.recipients(context)  # before a cancellation deletes roles and settings
    removed: list[RemovedSeats] = []
    invoice = None
    started = context.status is Status.CONVERTING
    if context.status is Status.TRIALING:
        subscription.status, subscription.current_period_end = Status.EXPIRED, None
        notices.plan_reminders(context)
        context.record("trial_expired")
    elif context.status is Status.CONVERTING:
        invoice = invoice_view(
            _start_paid_period(context, period_end, "subscription_started"), context.catalog
        )
    elif context.status is Status.CANCELING:
        _end(context, "subscription_ended")
    elif subscription.past_due_since is not None:
        _end(context, "subscription_ended_unpaid")
    else:
        removed, invoice = _renew(context, period_end)
    outcome = _outcome(context, started)
    # The primary key makes a second closing of the same period fail, whatever the code does.
    context.repo.add(
        orm.PeriodClosing(
            account_id=context.account.id,
            period_end=period_end,
            outcome=outcome,
            closed_at=context.now,
        )
    )
    closed = PeriodClosed(
        team_id=context.account.team_id,
        enterprise_id=context.account.enterprise_id,
        period_end=period_end,
        outcome=outcome,
        removed=removed,
        invoice=invoice,
    )
    notices.close_buttons(context, closed)
    notices.period_ended(context, closed, recipients)
    return closed


def _renew(context: Context, period_end: datetime) -> tuple[list[RemovedSeats], InvoiceView | None]:
    """Apply the removals, open the following period and charge it in advance."""
    subscription = context.subscription
    removed = _apply_removals(context)
    _switch_interval(subscription, period_end)
    nxt = following_period(
        period_end,
        subscription.anchor,
        context.interval,
        subscription.period_index + 1,
        ZoneInfo(context.account.time_zone),
    )
    subscription.period_index = nxt.index
    subscription.current_period_start, subscription.current_period_end = nxt.start, nxt.end
    notices.plan_reminders(context)
    lines = context.renewal_lines()
    if not lines:
        return removed, None
    invoice = context.invoice("renewal", nxt, lines, "renewal_charged")
    return removed, invoice_view(invoice, context.catalog)


def _end(context: Context, event: str) -> None:
    """The subscription ends as a cancellation does (rule 7): its data goes."""
    context.delete_instance_data()
    account = context.account
    account.notice_channel = account.billing_details = None
    account.billing_company = account.billing_email = None
    account.billing_address = account.billing_vat_id = None
    context.subscription.status = Status.CANCELED
    context.subscription.current_period_end = None
    notices.plan_reminders(context)
    context.record(event)


def _outcome(context: Context, started: bool) -> str:
    if context.status is Status.CANCELED:
        return "ended_unpaid" if context.subscription.past_due_since else "canceled"
    if context.status is Status.EXPIRED:
        return "expired"
    return "started" if started else "renewed"


def _switch_interval(subscription: orm.Subscription, period_end: datetime) -> None:
    """A switched interval starts a new calendar at the period end: its anchor."""
    if subscription.next_interval is None:
        return
    subscription.interval, subscription.next_interval = subscription.next_interval, None
    subscription.anchor, subscription.period_index = period_end, -1


# switching monthly and annual


def quote_interval_change(context: Context, interval: Interval) -> SubscriptionChange:
    context.access.require_company_admin("change how the subscription is billed")
    dunning.check_allows(context, "change the billing interval")
    if interval == (context.subscription.next_interval or context.interval):
        raise IntervalUnchanged(interval)
    return _change_to(context, context.status, next_interval=interval)


def change_interval(context: Context, interval: Interval) -> SubscriptionChange:
    """Billed monthly or annually from the next period on (for a subscription waiting for the
    trial's end, from its first period)."""
    if interval == context.interval:
        context.subscription.next_interval = None  # back to what it was: nothing switches
    else:
        context.subscription.next_interval = interval
    context.record("interval_changed", detail=f"billed {interval}ly from the next period")
    notices.write_due_reminders(context)
    return subscription_change(context)


def _apply_removals(context: Context) -> list[RemovedSeats]:
    removed = []
    for pool in context.pools():
        seats = seats_of(pool)
        if seats.scheduled_for_removal:
            office = context.office_name(pool.office_id)
            context.store(pool, seats.apply_removals())
            context.record(
                "seats_removed",
                office_name=office,
                product_id=pool.product_id,
                seats=seats.scheduled_for_removal,
            )
            removed.append(
                RemovedSeats(
                    office=office,
                    product_id=pool.product_id,
                    product_name=context.catalog.name_of(pool.product_id),
                    seats=seats.scheduled_for_removal,
                )
            )
    return removed
