"""Notices (the README): written in the transaction that makes them due, once per account,
kind and period, each with one delivery per place it goes to (the outbox)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum

from pydantic import BaseModel

from licensing import orm
from licensing.context import Context, seats_of
from licensing.model import RoleName, Status
from licensing.money import Money
from licensing.schemas import (
    SYSTEM_ACTOR,
    DataToDelete,
    NoticeFacts,
    PaymentFacts,
    PeriodClosed,
    RemovalPool,
)

AT_ONCE = datetime(2000, 1, 1, tzinfo=UTC)
MAX_LEAD_DAYS = 30


class NoticeKind(StrEnum):
    REMOVAL_SCHEDULED = "removal_scheduled"
    RENEWAL_COMING = "renewal_coming"
    TRIAL_ENDING = "trial_ending"
    CANCELLATION_COMING = "cancellation_coming"
    PAID_PERIOD_COMING = "paid_period_coming"  # the trial of a subscribed account is ending
    RENEWAL_CHANGED = "renewal_changed"  # the amount a renewal notice stated has changed
    PERIOD_ENDED = "period_ended"
    ACTIVITY = "activity"  # a one-line log of a change, for the notice channel only
    PAYMENT_FAILED = "payment_failed"  # a charge failed: the channel and every company admin
    PAYMENT_RECEIVED = "payment_received"  # a receipt line, for the notice channel only


class Action(StrEnum):
    """What a delivery does in its place."""

    POST = "post"
    CLOSE = "close"  # edit the message a post left: its buttons go, a line says what happened


# The notices whose buttons act on the period they are about, and the outcomes of its close
# after which they no longer can (a trial's Subscribe still works once the trial expired).
BUTTONS_END = {
    NoticeKind.REMOVAL_SCHEDULED: {"renewed", "canceled", "ended_unpaid"},
    NoticeKind.CANCELLATION_COMING: {"renewed", "canceled"},
    NoticeKind.TRIAL_ENDING: {"started"},
}


class Lane(IntEnum):
    """Which deliveries the dispatcher claims first, so that a period end's backlog never
    holds up what a person is waiting to see."""

    PROMPT = 0  # written by a person's change (its log line, a reminder it made due); retries
    BULK = 1  # written by licensebot's own sweeps: reminders and period ends, many at once


def plan_reminders(context: Context) -> None:
    """Set when the current period's reminders are due: its end less the account's lead time."""
    end = context.subscription.current_period_end
    lead = timedelta(days=context.account.notice_lead_days)
    context.subscription.remind_at = None if end is None else end - lead


def write_due_reminders(context: Context) -> list[NoticeKind]:
    """Write the reminders the current period needs, if its lead time has come and it has not
    ended; each kind at most once a period. Called by the sweep, and after a change inside the
    lead time (a removal, a cancellation) so that it is announced too."""
    end = context.subscription.current_period_end
    lead = timedelta(days=context.account.notice_lead_days)
    if end is not None and context.now < end - lead:
        return []
    context.subscription.remind_at = None
    if end is None or context.now >= end:  # too late: the period-end notice will say it all
        return []
    written = []
    for kind, facts in _reminders(context, end):
        if write(context, kind, facts):
            written.append(kind)
    return written


def _reminders(context: Context, end: datetime) -> list[tuple[NoticeKind, NoticeFacts]]:
    if context.status is Status.TRIALING:
        return [(NoticeKind.TRIAL_ENDING, _priced(context, NoticeKind.TRIAL_ENDING, end))]
    if context.status is Status.CONVERTING:
        kind = NoticeKind.PAID_PERIOD_COMING
        return [(kind, _priced(context, kind, end))]
    if context.status is Status.CANCELING:
        facts = _facts(context, NoticeKind.CANCELLATION_COMING, end, to_delete=_to_delete(context))
        return [(NoticeKind.CANCELLATION_COMING, facts)]
    if context.status is not Status.ACTIVE:
        return []
    reminders = [(NoticeKind.RENEWAL_COMING, _priced(context, NoticeKind.RENEWAL_COMING, end))]
    removals = _removals(context)
    if removals:
        facts = _facts(context, NoticeKind.REMOVAL_SCHEDULED, end, removals=removals)
        reminders.insert(0, (NoticeKind.REMOVAL_SCHEDULED, facts))
    return reminders


def correct_renewal(context: Context) -> None:
    """Once this period's renewal notice has gone out, a change of the amount it stated is
    followed by a corrected notice: one for each change of the amount, none when it stays."""
    end = context.subscription.current_period_end
    first_kind = _COMING.get(context.status)
    if end is None or first_kind is None:
        return
    stated = _stated(context, first_kind, end)
    if stated is None:
        return
    count, total = stated
    facts = _priced(context, NoticeKind.RENEWAL_CHANGED, end)
    if facts.total != total:
        facts = facts.model_copy(update={"previous_total": total})
        key = f"{NoticeKind.RENEWAL_CHANGED}:{end.isoformat()}:{count}"
        write(context, NoticeKind.RENEWAL_CHANGED, facts, key=key)


_COMING = {
    Status.ACTIVE: NoticeKind.RENEWAL_COMING,
    Status.CONVERTING: NoticeKind.PAID_PERIOD_COMING,
}


def _stated(
    context: Context, first_kind: NoticeKind, end: datetime
) -> tuple[int, Decimal | None] | None:
    """How many corrections the period's renewal notice has had, and the amount last stated;
    None before the notice itself."""
    account = context.account.id
    notice = context.repo.notice(account, f"{first_kind}:{end.isoformat()}")
    last, corrections = notice, 0
    while notice is not None:
        last, corrections = notice, corrections + 1
        key = f"{NoticeKind.RENEWAL_CHANGED}:{end.isoformat()}:{corrections}"
        notice = context.repo.notice(account, key)
    if last is None:
        return None
    return corrections, NoticeFacts.model_validate_json(last.payload).total


def close_buttons(context: Context, closed: PeriodClosed) -> None:
    """The period closed: the notices whose buttons acted on it now say how it ended."""
    period = closed.period_end.isoformat()
    keys = [f"{kind}:{period}" for kind, ends in BUTTONS_END.items() if closed.outcome in ends]
    _close(context, keys, lambda facts: facts.model_copy(update={"ended": closed}))


def close_payment_buttons(context: Context, settled: PaymentFacts) -> None:
    """The charge was paid or voided: its failure notices' Update card and Retry now go."""
    kind = NoticeKind.PAYMENT_FAILED
    keys = [f"{kind}:{settled.invoice_id}:{n}" for n in range(1, settled.failures + 1)]

    def now_settled(facts: NoticeFacts) -> NoticeFacts:
        assert facts.payment is not None
        payment = facts.payment.model_copy(update={"state": settled.state})
        return facts.model_copy(update={"payment": payment})

    _close(context, keys, now_settled)


def _close(context: Context, keys: list[str], settle: Callable[[NoticeFacts], NoticeFacts]) -> None:
    """The notices of `keys` say what became of their buttons (`settle`). Each message
    already posted is closed (edited without its buttons); a delivery still pending posts the
    notice as it now is, without them; and a post recorded from now on is closed after it
    (`outbox.record`), as it may have been rendered before."""
    if not keys:
        return
    # Locked, so a post recorded meanwhile is seen here as sent, or sees the notice closed.
    for notice in context.repo.lock_notices(context.account.id, keys):
        notice.payload = settle(NoticeFacts.model_validate_json(notice.payload)).model_dump_json()
        for posted in context.repo.deliveries_of(notice.id):
            if posted.action == Action.POST and posted.state == "sent":
                context.repo.add(new_close(notice, posted, _lane(context)))


def period_ended(context: Context, closed: PeriodClosed, recipients: list[str]) -> None:
    facts = _facts(context, NoticeKind.PERIOD_ENDED, closed.period_end, closed=closed)
    write(context, NoticeKind.PERIOD_ENDED, facts, recipients)


def activity(context: Context, operation: str, idempotency_key: str, result: BaseModel) -> None:
    """Log a change made under an idempotency key in the notice channel, if there is one."""
    channel = context.account.notice_channel
    if not channel:
        return
    end = context.subscription.current_period_end or context.now
    facts = _facts(
        context,
        NoticeKind.ACTIVITY,
        end,
        activity=operation,
        actor=context.actor_id,
        result=result.model_dump(mode="json"),
    )
    write(context, NoticeKind.ACTIVITY, facts, [channel], key=f"activity:{idempotency_key}")


def payment(context: Context, facts: PaymentFacts, *, receipt: bool) -> None:
    """A receipt line in the notice channel, or a failed charge's notice: to the channel and
    to each company admin, since someone must act on it. Once per invoice and attempt."""
    end = context.subscription.current_period_end or context.now
    if receipt:
        channel = context.account.notice_channel
        kind, targets = NoticeKind.PAYMENT_RECEIVED, [channel] if channel else []
        key = f"{kind}:{facts.invoice_id}"
    else:
        kind = NoticeKind.PAYMENT_FAILED
        channel_first = [context.account.notice_channel] if context.account.notice_channel else []
        targets = channel_first + company_admins(context)
        key = f"{kind}:{facts.invoice_id}:{facts.failures}"
    if targets:
        write(context, kind, _facts(context, kind, end, payment=facts), targets, key=key)


def write(
    context: Context,
    kind: NoticeKind,
    facts: NoticeFacts,
    targets: list[str] | None = None,
    key: str | None = None,
) -> bool:
    """Write the notice and its deliveries unless one with its key (by default its kind and
    period) exists. The unique key makes a second one fail in the database whatever the code
    does."""
    key = key or f"{kind}:{facts.period_end.isoformat()}"
    if context.repo.notice(context.account.id, key) is not None:
        return False
    notice = orm.Notice(
        account_id=context.account.id,
        key=key,
        kind=kind,
        payload=facts.model_dump_json(),
        created_at=context.now,
    )
    context.repo.add(notice)
    context.repo.flush()
    lane = _lane(context)
    for target in recipients(context) if targets is None else targets:
        context.repo.add(new_delivery(notice, target, lane))
    return True


def _lane(context: Context) -> Lane:
    return Lane.BULK if context.actor_id == SYSTEM_ACTOR else Lane.PROMPT


def recipients(context: Context) -> list[str]:
    """The notice channel, or else every company admin by DM."""
    if context.account.notice_channel:
        return [context.account.notice_channel]
    return company_admins(context)


def company_admins(context: Context) -> list[str]:
    roles = context.repo.roles(context.account.id)
    return sorted({r.user_id for r in roles if r.role == RoleName.COMPANY_ADMIN})


def new_delivery(
    notice: orm.Notice,
    target: str,
    lane: Lane,
    action: Action = Action.POST,
    message: tuple[str | None, str | None] = (None, None),
) -> orm.NoticeDelivery:
    """A delivery due at once. Delivery times are real time, whatever the billing clock says."""
    channel, ts = message
    return orm.NoticeDelivery(
        notice_id=notice.id,
        account_id=notice.account_id,
        target=target,
        action=action,
        channel=channel,
        ts=ts,
        state="pending",
        attempts=0,
        maybe_posted=False,
        lane=lane,
        next_attempt_at=AT_ONCE,
    )


def new_close(notice: orm.Notice, posted: orm.NoticeDelivery, lane: Lane) -> orm.NoticeDelivery:
    """The close of the message `posted` left, in the same place (so after it, at its pace)."""
    return new_delivery(notice, posted.target, lane, Action.CLOSE, (posted.channel, posted.ts))


def _facts(
    context: Context, kind: NoticeKind, period_end: datetime, **fields: object
) -> NoticeFacts:
    return NoticeFacts.model_validate(
        {
            "kind": kind,
            "period_end": period_end,
            "interval": context.renewal_interval,
            "currency": context.currency,
            **fields,
        }
    )


def _priced(context: Context, kind: NoticeKind, end: datetime) -> NoticeFacts:
    lines = context.renewal_lines()
    total = Money.total((line.amount for line in lines), context.currency).amount
    return _facts(context, kind, end, lines=lines, total=total)


def _removals(context: Context) -> list[RemovalPool]:
    removals = []
    for pool in context.pools():
        seats = seats_of(pool)
        if seats.scheduled_for_removal:
            product = context.product(pool.product_id)
            removals.append(
                RemovalPool(
                    office=context.office_name(pool.office_id),
                    product_id=product.id,
                    product_name=product.name,
                    seats=seats.scheduled_for_removal,
                    purchased=seats.purchased,
                )
            )
    return removals


def _to_delete(context: Context) -> DataToDelete:
    pools = [seats_of(p) for p in context.pools()]
    return DataToDelete(
        offices=[o.name for o in context.offices()],
        seats=sum(s.purchased for s in pools),
        assigned=sum(s.assigned for s in pools),
        admins=len(context.repo.roles(context.account.id)),
    )
