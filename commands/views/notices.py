"""Notices posted to the notice channel or admins' DMs, and what their buttons did."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
)

from commands import ids
from commands.carried import (
    LOGGED,
    DamagedPayload,
    NoticeButton,
    RestoreButton,
    SeatPreset,
    read,
)
from commands.views.billing import (
    payment_failed_notice,
    payment_received_notice,
    payment_settled_text,
    retry_done_text,
)
from commands.views.common import Message, _md, clip, day, money, plural, product_of, when
from commands.views.seats import purchase_done_text, seat_change_done_text
from commands.views.subscription import subscription_done_text
from licensing.notices import NoticeKind
from licensing.requests import Restore
from licensing.schemas import (
    NoticeFacts,
    NoticeView,
    PaymentView,
    PurchaseQuote,
    RemovalPool,
    SeatChange,
    SubscribeQuote,
    SubscriptionChange,
)

MAX_POOLS_WITH_BUTTONS = 20  # two blocks each, within Slack's 50 blocks a message
MAX_CONTEXT_TEXT = 3000  # Slack's limit for a text in a context block


def notice_message(notice: NoticeView) -> Message:
    """A notice as posted to the notice channel or an admin's DM: `text` and `blocks`. Posted
    after the period it is about has closed, it is as a close leaves it."""
    facts, tz = notice.facts, notice.time_zone
    text, blocks = _NOTICE_BUILDERS[facts.kind](notice, facts, tz)
    message = [b.to_dict() for b in blocks]
    if facts.buttons_closed:
        message = _without_buttons(message, ended_text(facts, tz))
    return {"text": text, "blocks": message}


def closed_notice(message: Message, notice: NoticeView) -> Message | None:
    """A posted notice once the period its buttons acted on has closed: the buttons, which no
    longer apply, give way to a line saying how it ended, and what clicks wrote on it stays.
    None when no button is left (all used, or closed already): it stays as it is."""
    blocks: list[dict[str, Any]] = message.get("blocks") or []
    if not notice.facts.buttons_closed or not any(b.get("type") == "actions" for b in blocks):
        return None
    text = message.get("text") or notice_message(notice)["text"]
    return {
        "text": text,
        "blocks": _without_buttons(blocks, ended_text(notice.facts, notice.time_zone)),
    }


def ended_text(facts: NoticeFacts, tz: str) -> str:
    """What became of what a notice's buttons offered, once its period closed (or, for a
    failed charge, once it was settled)."""
    if facts.payment is not None and facts.ended is None:
        return payment_settled_text(facts.payment)
    ended = facts.ended
    assert ended is not None, "a notice whose period closed carries how"
    day = when(ended.period_end, tz)
    if ended.outcome == "canceled":
        return (
            f"The subscription ended on {day}. A company admin can start a new one with "
            "`/license subscription subscribe`."
        )
    if ended.outcome == "started":
        return f"The free trial ended on {day} and the subscription started."
    if facts.kind == NoticeKind.CANCELLATION_COMING:
        return f"The subscription was reactivated: it renewed on {day}."
    if not ended.removed:
        return f"No seats left on {day}: those scheduled to leave were restored."
    left = [f"{plural(r.seats, product_of(r) + ' seat')} in {r.office}" for r in ended.removed]
    return clip(f"These seats left on {day}: {', '.join(left)}.", MAX_CONTEXT_TEXT)


def _without_buttons(blocks: list[dict[str, Any]], line: str) -> list[dict[str, Any]]:
    kept = [
        b for b in blocks if b.get("type") != "actions" and b.get("block_id") != ids.ENDED_BLOCK
    ]
    return [*kept, _said(f":lock: {line}", ids.ENDED_BLOCK).to_dict()]


def _said(text: str, block_id: str | None) -> ContextBlock:
    return ContextBlock(block_id=block_id, elements=[MarkdownTextObject(text=text)])


def _removal_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    day = when(facts.period_end, tz)
    seats = sum(pool.seats for pool in facts.removals)
    text = f"{plural(seats, 'seat')} {'is' if seats == 1 else 'are'} scheduled for removal on {day}"
    blocks: list[Block] = [
        _md(
            f":hourglass_flowing_sand: *{text}.*\nThey leave when the period ends. "
            "Restore any you still need: it is free."
        )
    ]
    for index, pool in enumerate(facts.removals[:MAX_POOLS_WITH_BUTTONS]):
        blocks.append(
            _md(
                f"*{pool.product_name}* in {pool.office}: {pool.seats:,} of "
                f"{plural(pool.purchased, 'seat')} scheduled for removal"
            )
        )
        blocks.append(_restore_buttons(notice, facts, pool, index))
    if len(facts.removals) > MAX_POOLS_WITH_BUTTONS:
        more = len(facts.removals) - MAX_POOLS_WITH_BUTTONS
        blocks.append(
            _md(
                f"…and {plural(more, 'more pool')}: see `/license status`, restore with "
                "`/license restore`."
            )
        )
    return text, blocks


def _restore_buttons(
    notice: NoticeView, facts: NoticeFacts, pool: RemovalPool, index: int
) -> ActionsBlock:
    restore = Restore(
        count=pool.seats, product=pool.product_id, office=pool.office, period_end=facts.period_end
    )
    choose = SeatPreset(
        count=pool.seats, product=pool.product_id, office=pool.office, notice=notice.id
    )
    return _restore_actions(f"{ids.RESTORE_BLOCK_PREFIX}{index}", notice.id, restore, choose)


def _restore_actions(
    block_id: str, notice_id: int, restore: Restore, choose: SeatPreset
) -> ActionsBlock:
    return ActionsBlock(
        block_id=block_id,
        elements=[
            ButtonElement(
                text=f"Restore {plural(restore.count, 'seat')}",
                action_id=ids.NOTICE_RESTORE,
                value=RestoreButton(notice=notice_id, restore=restore).dump(),
                style="primary",
            ),
            ButtonElement(text="Choose how many…", action_id=ids.OPEN_RESTORE, value=choose.dump()),
        ],
    )


def _renewal_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    text = f"Your subscription renews on {when(facts.period_end, tz)}"
    lines = [
        f"• {line.seats} × {product_of(line)} in {line.office}: {money(line.amount, facts.currency)}"
        for line in facts.lines
    ]
    body = "\n".join(lines) or "No seats renew, so nothing will be charged."
    return text, [
        _md(f":calendar: *{text}.*\n{body}"),
        _md(
            f"Total charged in advance for the next {facts.interval}: *{money(facts.total, facts.currency)}*"
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="To change it, `/license remove` or `/license buy` seats before then."
                )
            ]
        ),
    ]


def _trial_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    text = f"Your free trial ends on {when(facts.period_end, tz)}"
    return text, [
        _md(
            f":stopwatch: *{text}.*\nSeats stop working then unless you subscribe. "
            f"With the seats you have now, a month costs {money(facts.total, facts.currency)}."
        ),
        _notice_button(notice, ids.SUBSCRIBE_BLOCK, "Subscribe", ids.NOTICE_SUBSCRIBE),
    ]


def _renewal_changed_notice(
    notice: NoticeView, facts: NoticeFacts, tz: str
) -> tuple[str, list[Block]]:
    total, was = money(facts.total, facts.currency), money(facts.previous_total, facts.currency)
    text = f"The renewal on {when(facts.period_end, tz)} has changed: {total} (was {was})"
    lines = [
        f"• {line.seats} × {product_of(line)} in {line.office}: "
        f"{money(line.amount, facts.currency)}"
        for line in facts.lines
    ]
    body = "\n".join(lines) or "No seats renew, so nothing will be charged."
    return text, [
        _md(f":pencil2: *{text}.*\n{body}"),
        _md(
            f"Total charged in advance for the next {facts.interval}: *{total}*, in place of {was}."
        ),
    ]


def _paid_period_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    text = f"Your free trial ends on {when(facts.period_end, tz)} and your subscription starts"
    lines = [
        f"• {line.seats} × {product_of(line)} in {line.office}: {money(line.amount, facts.currency)}"
        for line in facts.lines
    ]
    body = "\n".join(lines) or "No seats are held, so nothing will be charged."
    return text, [
        _md(f":calendar: *{text}.*\n{body}"),
        _md(
            f"Charged then, in advance, for the first {facts.interval}: "
            f"*{money(facts.total, facts.currency)}*"
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Seats bought or removed before then change it; "
                    "`/license subscription cancel` keeps it a trial."
                )
            ]
        ),
    ]


def _cancellation_notice(
    notice: NoticeView, facts: NoticeFacts, tz: str
) -> tuple[str, list[Block]]:
    text = f"Your subscription ends on {when(facts.period_end, tz)}"
    gone = facts.to_delete
    deleted = (
        f"{'the office' if len(gone.offices) == 1 else 'the offices'} {', '.join(gone.offices)}; "
        f"{plural(gone.seats, 'seat')} ({gone.assigned:,} assigned); "
        f"{plural(gone.admins, 'admin role')}"
        if gone
        else "the account's data"
    )
    return text, [
        _md(
            f":warning: *{text}.*\nThen these are deleted: {deleted}. "
            "Invoices and the audit log are kept."
        ),
        _notice_button(notice, ids.REACTIVATE_BLOCK, "Reactivate", ids.NOTICE_REACTIVATE),
    ]


def _notice_button(notice: NoticeView, block_id: str, text: str, action_id: str) -> ActionsBlock:
    value = NoticeButton(notice=notice.id).dump()
    button = ButtonElement(text=text, action_id=action_id, value=value, style="primary")
    return ActionsBlock(block_id=block_id, elements=[button])


def _period_end_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    closed = facts.closed
    assert closed is not None, "a period-end notice carries its result"
    day = when(closed.period_end, tz)
    if closed.outcome == "expired":
        text = f"Your free trial ended on {day}"
        body = "Seats stopped working; nothing was charged. Subscribe to go on: `/license subscription subscribe`."
    elif closed.outcome == "started":
        text = f"Your free trial ended on {day} and your subscription started"
        body = "\n".join(_renewal_result(facts, tz))
    elif closed.outcome == "canceled":
        text = f"Your subscription ended on {day}"
        body = "Offices, seats, assignments and roles were deleted. Invoices and the audit log are kept."
    elif closed.outcome == "ended_unpaid":
        text = f"Your subscription ended on {day}, unpaid"
        body = (
            "Its charges failed after every retry, so it did not renew. Offices, seats, "
            "assignments and roles were deleted; invoices and the audit log are kept. What is "
            "owed stays owed: pay it (`/license subscription billing`), then subscribe again."
        )
    else:
        text = f"The period ending {day} closed"
        body = "\n".join(_renewal_result(facts, tz))
    return text, [_md(f":receipt: *{text}.*\n{body}")]


def _renewal_result(facts: NoticeFacts, tz: str) -> list[str]:
    closed = facts.closed
    assert closed is not None
    lines = [
        f"• {plural(r.seats, product_of(r) + ' seat')} left {r.office}" for r in closed.removed
    ]
    invoice = closed.invoice
    if invoice is None:
        lines.append("No seats renewed, so nothing was charged.")
    else:
        lines.append(
            f"Charged *{money(invoice.total, invoice.currency)}* (invoice #{invoice.id}) for "
            f"{day(invoice.covers_start, tz)} – {day(invoice.covers_end, tz)}"
        )
    return lines


def _activity_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    assert facts.activity and facts.actor and facts.result is not None
    text = activity_text(facts.activity, facts.result, facts.actor, tz)
    return text, [_md(text)]


def activity_text(operation: str, result: dict[str, Any], user_id: str, time_zone: str) -> str:
    """What a change made under an idempotency key did, from the result it stored (results
    stored before they carried the time zone get the account's)."""
    result_type = LOGGED[operation].result_type()
    return done_text(
        operation, result_type.model_validate({"time_zone": time_zone, **result}), user_id
    )


def done_text(operation: str, result: BaseModel, user_id: str) -> str:
    """What a confirmed change did, said in the modal, the log line and on its notice."""
    if isinstance(result, PurchaseQuote):
        return purchase_done_text(result, user_id)
    if isinstance(result, SeatChange):
        return seat_change_done_text(operation, result, user_id)
    if isinstance(result, SubscribeQuote | SubscriptionChange):
        return subscription_done_text(operation, result, user_id)
    if isinstance(result, PaymentView):
        return retry_done_text(result, user_id)
    raise TypeError(f"no text for {type(result).__name__}")


_NOTICE_BUILDERS = {
    "activity": _activity_notice,
    "removal_scheduled": _removal_notice,
    "renewal_coming": _renewal_notice,
    "trial_ending": _trial_notice,
    "paid_period_coming": _paid_period_notice,
    "renewal_changed": _renewal_changed_notice,
    "cancellation_coming": _cancellation_notice,
    "period_ended": _period_end_notice,
    "payment_failed": payment_failed_notice,
    "payment_received": payment_received_notice,
}


def notice_after_action(
    blocks: list[dict[str, Any]], block_id: str, outcome: str, still_scheduled: int = 0
) -> list[dict[str, Any]]:
    """The notice's blocks with the buttons of `block_id` replaced by what was done, so they
    cannot be pressed again; after a partial restore, with buttons for the seats still
    scheduled to leave."""
    updated = []
    for block in blocks:
        if block.get("block_id") != block_id:
            updated.append(block)
            continue
        rest = _restore_the_rest(block, still_scheduled) if still_scheduled else None
        done = _said(f":white_check_mark: {outcome}", None if rest else block_id)
        updated += [done.to_dict(), *([rest] if rest else [])]
    return updated


def _restore_the_rest(block: dict[str, Any], count: int) -> dict[str, Any] | None:
    """The block's restore buttons again, for the `count` seats still scheduled to leave."""
    values = [
        e.get("value")
        for e in block.get("elements", [])
        if e.get("action_id") == ids.NOTICE_RESTORE
    ]
    try:
        clicked = read(RestoreButton, values[0]) if values else None
    except DamagedPayload:
        return None
    if clicked is None:
        return None
    restore = clicked.restore.model_copy(update={"count": count})
    choose = SeatPreset(
        count=count, product=restore.product, office=restore.office, notice=clicked.notice
    )
    return _restore_actions(block["block_id"], clicked.notice, restore, choose).to_dict()
