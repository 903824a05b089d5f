"""One table from request type to use case. Each use case plans inside the request's
transaction: the plan holds what a review shows (its quote) and the step that applies it, so
the amount reviewed and the amount charged come from the same computation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from licensing import (
    admin,
    dunning,
    notices,
    orm,
    people,
    reports,
    requests,
    seats,
    subscriptions,
)
from licensing.calendar import local_date
from licensing.contact import billing_contact
from licensing.context import Context
from licensing.errors import QuoteChanged, SeatsAlreadyGone
from licensing.requests import R, Request
from licensing.schemas import (
    AccountStatus,
    AssignmentChange,
    PaymentView,
    PurchaseQuote,
    SeatChange,
    SubscribeQuote,
    SubscriptionChange,
)
from licensing.transactions import Policy, check_priced_at


@dataclass(frozen=True)
class Plan(Generic[R]):
    """What a request would do (`quote`; None for requests that have no review step) and
    `apply`, which does it."""

    quote: R | None
    apply: Callable[[], R]

    def check_shown(self, shown: BaseModel | None) -> None:
        """Refuse to apply a plan whose terms differ from those the admin reviewed."""
        if shown is None:
            return
        if self.quote is None or not same_terms(self.quote, shown):
            raise QuoteChanged(self.quote)


# The fields of each quote that are the terms an admin agrees to on a review. Moments that are
# only "now" (when an immediate change or a new subscription takes effect) are not terms: they
# move on between the review and Confirm without changing what is agreed.
_TERMS: dict[type[BaseModel], set[str]] = {
    PurchaseQuote: {
        "office",
        "product_id",
        "requested",
        "restored",
        "charged_seats",
        "amount",
        "currency",
        "covers_start",
        "covers_end",
        "priced_at",
        "free_trial",
        "assigned_user",
    },
    SeatChange: {"office", "product_id", "count", "immediate", "assigned_user"},
    SubscribeQuote: {"interval", "currency", "lines", "total", "keeps_trial", "trial_end"},
    SubscriptionChange: {"status", "ends_at", "next_interval"},
    AssignmentChange: {"user_id", "office", "product_id", "also_revoked"},
}


def same_terms(quote: BaseModel, shown: BaseModel) -> bool:
    terms = _TERMS.get(type(quote))
    if terms is None or type(shown) is not type(quote):
        return False
    if isinstance(quote, SeatChange) and not quote.immediate:
        terms = terms | {"takes_effect"}  # the period end the seats leave at
    return quote.model_dump(include=terms) == shown.model_dump(include=terms)


def plan(context: Context, request: Request[R], policy: Policy) -> Plan[R]:
    planner: Callable[[Context, Any, Policy], Plan[R]] = _PLANNERS[type(request)]
    return planner(context, request, policy)


def _purchase(c: Context, r: requests.Purchase, policy: Policy) -> Plan[PurchaseQuote]:
    period_start = c.subscription.current_period_start
    at = check_priced_at(r.priced_at, c.now, period_start, policy.quote_validity)
    change, quote = seats.quote_purchase(c, r.count, r.product, r.office, policy.max_seats, at)
    quote = _with_assignment(quote, r.then_assign)

    def apply() -> PurchaseQuote:
        bought = seats.purchase(c, change, quote)
        _then_assign(c, r.then_assign, r.product, r.office)
        notices.correct_renewal(c)
        return bought

    return Plan(quote, apply)


Q = TypeVar("Q", PurchaseQuote, SeatChange)


def _with_assignment(quote: Q, user: str | None) -> Q:
    """The quote of seats one of which goes to `user` in the same step."""
    if user is None:
        return quote
    counts = quote.pool_after
    after = counts.model_copy(
        update={"assigned": counts.assigned + 1, "available": counts.available - 1}
    )
    return quote.model_copy(update={"assigned_user": user, "pool_after": after})


def _then_assign(c: Context, user: str | None, product: str, office: str | None) -> None:
    if user is not None:
        people.assign(c, user, product, office)


def _removal(c: Context, r: requests.ScheduleRemoval, policy: Policy) -> Plan[SeatChange]:
    change, result = seats.plan_removal(c, r.count, r.product, r.office, policy.max_seats)

    def apply() -> SeatChange:
        event = "trial_seats_removed" if result.immediate else "removal_scheduled"
        applied = seats.apply_seat_change(c, change, result, event)
        notices.write_due_reminders(c)  # inside the lead time, announce it now
        notices.correct_renewal(c)
        return applied

    return Plan(result, apply)


def _restore(c: Context, r: requests.Restore, policy: Policy) -> Plan[SeatChange]:
    if r.period_end is not None and c.subscription.current_period_end != r.period_end:
        raise SeatsAlreadyGone(local_date(r.period_end, c.tz))
    change, result = seats.plan_restore(c, r.count, r.product, r.office, policy.max_seats)
    result = _with_assignment(result, r.then_assign)

    def apply() -> SeatChange:
        restored = seats.apply_seat_change(c, change, result, "seats_restored")
        _then_assign(c, r.then_assign, r.product, r.office)
        notices.correct_renewal(c)
        return restored

    return Plan(result, apply)


def _assign(c: Context, r: requests.Assign, policy: Policy) -> Plan[Any]:
    return Plan(None, lambda: people.assign(c, r.user_id, r.product, r.office))


def _revoke(c: Context, r: requests.Revoke, policy: Policy) -> Plan[Any]:
    preview = people.revoke(c, r.user_id, r.product, dry_run=True)
    return Plan(preview, lambda: people.revoke(c, r.user_id, r.product))


def _subscribe(c: Context, r: requests.Subscribe, policy: Policy) -> Plan[SubscribeQuote]:
    counts, quote = subscriptions.quote_subscribe(
        c, r.interval, list(r.pools), policy.max_seats, r.start_now
    )
    return Plan(quote, lambda: subscriptions.subscribe(c, r.interval, counts, quote))


def _cancel(c: Context, r: requests.Cancel, policy: Policy) -> Plan[SubscriptionChange]:
    return Plan(subscriptions.quote_cancel(c), lambda: subscriptions.cancel(c))


def _reactivate(c: Context, r: requests.Reactivate, policy: Policy) -> Plan[SubscriptionChange]:
    return Plan(subscriptions.quote_reactivate(c), lambda: subscriptions.reactivate(c))


def _change_interval(
    c: Context, r: requests.ChangeInterval, policy: Policy
) -> Plan[SubscriptionChange]:
    quote = subscriptions.quote_interval_change(c, r.interval)

    def apply() -> SubscriptionChange:
        changed = subscriptions.change_interval(c, r.interval)
        notices.correct_renewal(c)
        return changed

    return Plan(quote, apply)


def _billing(c: Context, r: requests.SetBillingDetails, policy: Policy) -> Plan[Any]:
    return Plan(None, lambda: subscriptions.set_billing_details(c, r.details))


def _billing_contact(c: Context, r: requests.SetBillingContact, policy: Policy) -> Plan[Any]:
    contact = billing_contact(r.company, r.email, r.address, r.vat_id)
    return Plan(None, lambda: subscriptions.set_billing_contact(c, contact))


def _retry_payment(c: Context, r: requests.RetryPayment, policy: Policy) -> Plan[Any]:
    def run() -> PaymentView:
        payment = dunning.retry_now(c, r.invoice)
        invoice = c.repo.session.get_one(orm.Invoice, payment.invoice_id)
        return reports.payment_view(payment, invoice, c.account.time_zone)

    return Plan(None, run)


def _setting(apply: Callable[[Context, Any], None]) -> Callable[..., Plan[AccountStatus]]:
    """A settings change answers with the account's status after it."""

    def planner(c: Context, r: Request[AccountStatus], policy: Policy) -> Plan[AccountStatus]:
        def run() -> AccountStatus:
            apply(c, r)
            return reports.account_status(c)

        return Plan(None, run)

    return planner


def _grant_role(c: Context, r: requests.GrantRole, policy: Policy) -> Plan[Any]:
    return Plan(None, lambda: admin.grant_role(c, r.user_id, r.role, r.office))


def _revoke_role(c: Context, r: requests.RevokeRole, policy: Policy) -> Plan[Any]:
    return Plan(None, lambda: admin.revoke_role(c, r.user_id, r.role, r.office))


_PLANNERS: dict[type[Request[Any]], Callable[[Context, Any, Policy], Plan[Any]]] = {
    requests.Purchase: _purchase,
    requests.ScheduleRemoval: _removal,
    requests.Restore: _restore,
    requests.Assign: _assign,
    requests.Revoke: _revoke,
    requests.Subscribe: _subscribe,
    requests.Cancel: _cancel,
    requests.Reactivate: _reactivate,
    requests.ChangeInterval: _change_interval,
    requests.SetBillingDetails: _billing,
    requests.SetBillingContact: _billing_contact,
    requests.RetryPayment: _retry_payment,
    requests.SetNoticeChannel: _setting(lambda c, r: admin.set_notice_channel(c, r.channel_id)),
    requests.SetReminderLead: _setting(lambda c, r: admin.set_notice_lead(c, r.days)),
    requests.SetRetryDays: _setting(lambda c, r: dunning.set_retry_days(c, r.days)),
    requests.SetTimeZone: _setting(lambda c, r: admin.set_time_zone(c, r.time_zone)),
    requests.AddOffice: _setting(lambda c, r: admin.add_office(c, r.name)),
    requests.RenameOffice: _setting(lambda c, r: admin.rename_office(c, r.office, r.new_name)),
    requests.RemoveOffice: _setting(lambda c, r: admin.remove_office(c, r.office)),
    requests.GrantRole: _grant_role,
    requests.RevokeRole: _revoke_role,
}
