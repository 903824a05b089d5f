"""Subscribing, canceling and reactivating: entry, review and result."""

from __future__ import annotations

import json
from typing import Any

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
from commands.views.common import _md, _pick, _with_notice, money, when
from licensing.schemas import AccountStatus, SubscribeQuote, SubscriptionChange


def subscribe_entry_modal(
    status: AccountStatus, interval: str | None, notice: dict[str, str] | None = None
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
    for pool in status.pools:
        blocks.append(
            InputBlock(
                block_id=f"{ids.POOL_SEATS_PREFIX}{pool.office}|{pool.product_id}",
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
    return View(
        type="modal",
        callback_id=ids.SUBSCRIPTION_ENTRY,
        private_metadata=json.dumps(_with_notice({"action": "subscribe"}, notice)),
        title=PlainTextObject(text="Subscribe"),
        submit=PlainTextObject(text="Next"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


def subscribe_review_modal(quote: SubscribeQuote, time_zone: str, metadata: dict[str, Any]) -> View:
    lines = [
        f"• {line.seats} × {line.product_id} in {line.office}: {money(line.amount, quote.currency)}"
        for line in quote.lines
    ] or ["• no seats"]
    text = (
        f"*Subscribe, billed {quote.interval}ly*\n"
        + "\n".join(lines)
        + f"\n*{money(quote.total, quote.currency)}* charged now, in advance, for "
        f"{when(quote.period_start, time_zone)} to {when(quote.period_end, time_zone)}."
    )
    return _confirm_modal(ids.SUBSCRIPTION_REVIEW, "Review", text, "Subscribe", metadata)


def cancel_review_modal(status: AccountStatus) -> View:
    end = when(status.subscription.period_end, status.subscription.time_zone)
    text = (
        f"*Cancel the subscription on {end}*\nSeats keep working until then and nothing more "
        "is charged. Then offices, pools, assignments, roles and settings are deleted; "
        "invoices and the audit log are kept. You can reactivate any time before then."
    )
    return _confirm_modal(
        ids.SUBSCRIPTION_REVIEW,
        "Cancel subscription",
        text,
        "Cancel subscription",
        {"action": "cancel"},
    )


def reactivate_review_modal(status: AccountStatus) -> View:
    end = when(status.subscription.period_end, status.subscription.time_zone)
    text = f"*Reactivate the subscription*\nIt renews on {end} as before; nothing is charged now."
    return _confirm_modal(
        ids.SUBSCRIPTION_REVIEW, "Reactivate", text, "Reactivate", {"action": "reactivate"}
    )


def _confirm_modal(
    callback_id: str, title: str, text: str, submit: str, metadata: dict[str, Any]
) -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=json.dumps(metadata),
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text="Back"),
        blocks=[_md(text)],
    )


def subscription_done_text(
    action: str, change: SubscriptionChange | SubscribeQuote, user_id: str, time_zone: str
) -> str:
    if isinstance(change, SubscribeQuote):
        return (
            f"<@{user_id}> subscribed ({change.interval}ly): "
            f"{money(change.total, change.currency)} charged"
        )
    if action == "cancel":
        return (
            f"<@{user_id}> canceled the subscription: it ends on {when(change.ends_at, time_zone)}"
        )
    return f"<@{user_id}> reactivated the subscription"
