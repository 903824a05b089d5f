"""Subscribing, canceling and reactivating: entry, review and result."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from commands import ids
from commands.carried import NoticeRef, PoolField, SubscribeEntry
from commands.views.common import Message, _md, _pick, money, product_of, span, text_message, when
from licensing.model import Status
from licensing.schemas import AccountStatus, SubscribeQuote, SubscriptionChange


def subscribe_entry_modal(
    status: AccountStatus, interval: str | None, notice: NoticeRef | None = None
) -> View:
    intervals = [Option(value="month", label="Monthly"), Option(value="year", label="Annual")]
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.INTERVAL_BLOCK,
            label="Billing",
            element=StaticSelectElement(
                action_id=ids.INTERVAL_ACTION,
                options=intervals,
                initial_option=_pick(intervals, interval or "month"),
            ),
        )
    ]
    if status.subscription.status is Status.TRIALING and status.subscription.period_end:
        blocks.append(_start_input(status.subscription.period_end, status.subscription.time_zone))
    for index, pool in enumerate(status.pools):
        blocks.append(
            InputBlock(
                block_id=ids.pool_seats_block(index),
                label=f"{pool.product_name} seats in {pool.office}"[:150],
                hint=f"At least {pool.seats.assigned}, the seats assigned now",
                element=NumberInputElement(
                    action_id=ids.COUNT_ACTION,
                    is_decimal_allowed=False,
                    min_value="0",
                    initial_value=str(pool.seats.purchased),
                ),
            )
        )
    pools = tuple(PoolField(office=p.office, product=p.product_id) for p in status.pools)
    return View(
        type="modal",
        callback_id=ids.SUBSCRIPTION_ENTRY,
        private_metadata=SubscribeEntry(pools=pools, notice=notice).dump(),
        title=PlainTextObject(text="Subscribe"),
        submit=PlainTextObject(text="Next"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


def _start_input(trial_end: datetime, time_zone: str) -> InputBlock:
    options = [
        Option(
            value=ids.START_AT_TRIAL_END,
            label=f"When the trial ends ({when(trial_end, time_zone)})"[:75],
        ),
        Option(value=ids.START_NOW, label="Now, giving up the rest of the trial"),
    ]
    return InputBlock(
        block_id=ids.START_BLOCK,
        label="First paid period starts",
        element=StaticSelectElement(
            action_id=ids.START_ACTION, options=options, initial_option=options[0]
        ),
    )


def subscription_review_modal(
    quote: SubscribeQuote | SubscriptionChange, metadata: str, note: str | None = None
) -> View:
    """The review of subscribing, canceling or reactivating; `note` says why it is shown again."""
    if isinstance(quote, SubscribeQuote):
        return subscribe_review_modal(quote, metadata, note)
    if quote.status in (Status.CANCELING, Status.TRIALING):
        return cancel_review_modal(quote, metadata, note)
    return reactivate_review_modal(quote, metadata, note)


def subscribe_review_modal(quote: SubscribeQuote, metadata: str, note: str | None = None) -> View:
    time_zone = quote.time_zone
    lines = [
        f"• {line.seats} × {product_of(line)} in {line.office}: {money(line.amount, quote.currency)}"
        for line in quote.lines
    ] or ["• no seats"]
    total = money(quote.total, quote.currency)
    first = f"{when(quote.period_start, time_zone)} to {when(quote.period_end, time_zone)}"
    if quote.keeps_trial:
        when_charged = (
            f"Your free trial goes on until {when(quote.trial_end, time_zone)}. Then the first "
            f"period, {first}, is charged in advance: *{total}* for these seats (seats added or "
            "removed before then change it). Nothing is charged now."
        )
    else:
        when_charged = f"*{total}* charged now, in advance, for {first}."
        if quote.trial_end and quote.priced_at and quote.trial_end > quote.priced_at:
            given_up = span(quote.trial_end - quote.priced_at)
            when_charged += f" This gives up the {given_up} left of the free trial."
    text = f"*Subscribe, billed {quote.interval}ly*\n" + "\n".join(lines) + "\n" + when_charged
    return _confirm_modal("Review", text, "Subscribe", metadata, note)


def cancel_review_modal(change: SubscriptionChange, metadata: str, note: str | None = None) -> View:
    end = when(change.ends_at, change.time_zone)
    if change.status is Status.TRIALING:
        text = (
            f"*Cancel the subscription*\nNothing is charged: the free trial still ends on {end}, "
            "and then seats stop working unless you subscribe again."
        )
    else:
        text = (
            f"*Cancel the subscription on {end}*\nSeats keep working until then and nothing more "
            "is charged. Then offices, pools, assignments, roles and settings are deleted; "
            "invoices and the audit log are kept. You can reactivate any time before then."
        )
    return _confirm_modal("Cancel subscription", text, "Cancel subscription", metadata, note)


def reactivate_review_modal(
    change: SubscriptionChange, metadata: str, note: str | None = None
) -> View:
    end = when(change.ends_at, change.time_zone)
    text = f"*Reactivate the subscription*\nIt renews on {end} as before; nothing is charged now."
    return _confirm_modal("Reactivate", text, "Reactivate", metadata, note)


def _confirm_modal(title: str, text: str, submit: str, metadata: str, note: str | None) -> View:
    return View(
        type="modal",
        callback_id=ids.SUBSCRIPTION_REVIEW,
        private_metadata=metadata,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text="Back"),
        blocks=[*([_md(f":warning: {note}")] if note else []), _md(text)],
    )


def subscription_done_text(
    operation: str, change: SubscriptionChange | SubscribeQuote, user_id: str
) -> str:
    if isinstance(change, SubscribeQuote):
        total = money(change.total, change.currency)
        if change.keeps_trial:
            starts = when(change.period_start, change.time_zone)
            return (
                f"<@{user_id}> subscribed ({change.interval}ly): the first period starts when "
                f"the free trial ends, on {starts}, and is charged then ({total} for the seats "
                "held now)"
            )
        return f"<@{user_id}> subscribed ({change.interval}ly): {total} charged"
    if operation == "cancel" and change.status is Status.TRIALING:
        ends = when(change.ends_at, change.time_zone)
        return f"<@{user_id}> canceled the subscription: the free trial ends on {ends}, unpaid"
    if operation == "cancel":
        ends = when(change.ends_at, change.time_zone)
        return f"<@{user_id}> canceled the subscription: it ends on {ends}"
    return f"<@{user_id}> reactivated the subscription"


def interval_changed_message(change: SubscriptionChange) -> Message:
    interval = change.next_interval
    estimate = money(change.next_invoice_estimate, change.currency)
    if interval is None:  # switched back before it took effect, or during the trial
        return text_message(
            f"Billing stays as it was. The next invoice is estimated at {estimate}."
        )
    starts = when(change.ends_at, change.time_zone)
    return text_message(
        f"From the next period, which starts on {starts}, the subscription is billed "
        f"{interval}ly: {estimate} in advance for the seats held now. Nothing is charged now."
    )
