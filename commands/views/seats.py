"""Buying, removing and restoring seats: entry, review and result; the no-seat reply."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    NumberInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from commands import ids
from commands.carried import NoticeRef, SeatAction, SeatEntry, SeatPreset
from commands.views.common import (
    Message,
    _blocks_message,
    _md,
    _office_input,
    _product_input,
    money,
    plural,
    span,
    when,
)
from licensing.catalog import Catalog
from licensing.errors import NoSeatAvailable
from licensing.schemas import PurchaseQuote, SeatChange

VERBS = {
    "buy": ("Buy", "bought"),
    "remove": ("Remove", "scheduled for removal"),
    "restore": ("Restore", "restored"),
}


def seats_entry_modal(
    action: SeatAction,
    catalog: Catalog,
    offices: list[str],
    preset: SeatPreset,
    notice: NoticeRef | None = None,
    default_office: str | None = None,
) -> View:
    """`notice`: the notice whose button opened the modal, updated once it is confirmed;
    `default_office`: the office chosen first when the preset names none."""
    title, _ = VERBS[action]
    count_input = InputBlock(
        block_id=ids.COUNT_BLOCK,
        label="Seats",
        element=NumberInputElement(
            action_id=ids.COUNT_ACTION,
            is_decimal_allowed=False,
            min_value="1",
            initial_value=str(preset.count) if preset.count and preset.count > 0 else None,
        ),
    )
    return View(
        type="modal",
        callback_id=ids.SEATS_ENTRY,
        private_metadata=SeatEntry(action=action, notice=notice, assign=preset.assign).dump(),
        title=PlainTextObject(text=f"{title} seats"),
        submit=PlainTextObject(text="Next"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            count_input,
            _product_input(catalog, preset.product),
            _office_input(offices, preset.office, default_office),
        ],
    )


def seat_review_modal(
    operation: str, quote: PurchaseQuote | SeatChange, metadata: str, note: str | None = None
) -> View:
    """The review of a purchase, removal or restore; `note` says why it is shown again."""
    if isinstance(quote, PurchaseQuote):
        return purchase_review_modal(quote, metadata, note)
    return seat_change_review_modal(operation, quote, metadata, note)


def purchase_review_modal(quote: PurchaseQuote, metadata: str, note: str | None = None) -> View:
    c, time_zone = quote.currency, quote.time_zone
    lines = [f"*Buy {_seats(quote.requested, quote.product_name)} in {quote.office}*"]
    if quote.restored:
        lines.append(
            f"• {plural(quote.restored, 'seat')} scheduled for removal "
            f"{'is' if quote.restored == 1 else 'are'} restored, free"
        )
    if quote.free_trial:
        lines.append(
            f"• {plural(quote.requested - quote.restored, 'seat')} added free during the trial"
        )
    elif quote.charged_seats:
        lines.append(
            f"• {plural(quote.charged_seats, 'new seat')} charged *{money(quote.amount, c)}* now, prorated "
            f"from {when(quote.covers_start, time_zone)} to {when(quote.covers_end, time_zone)}"
            f" ({share_charged(quote)})"
        )
    if quote.assigned_user:
        lines.append(f"• then <@{quote.assigned_user}> is assigned one of them")
    return _review_modal(
        lines,
        quote.pool_after.model_dump(),
        quote.next_invoice_estimate,
        c,
        metadata,
        "Confirm purchase",
        note,
    )


def seat_change_review_modal(
    operation: str, change: SeatChange, metadata: str, note: str | None = None
) -> View:
    time_zone = change.time_zone
    one = change.count == 1
    they, them = ("it", "it") if one else ("they", "them")
    if operation == "remove":
        lines = [f"*Remove {_seats(change.count, change.product_name)} from {change.office}*"]
        if change.immediate:
            lines.append(f"• free trial: {they} {'leaves' if one else 'leave'} at once")
        else:
            end = when(change.takes_effect, time_zone)
            lines += [
                "• only unassigned seats are removed, so nobody loses a seat",
                f"• from now on {they} cannot be assigned; {they} "
                f"{'stays' if one else 'stay'} paid until {end}, then "
                f"{'leaves' if one else 'leave'}; no refund",
                f"• until then you can restore {them}, free",
            ]
        submit = "Remove seats"
    else:
        lines = [
            f"*Restore {_seats(change.count, change.product_name)} in {change.office}*",
            f"• {they} {'stays' if one else 'stay'} after the period end and can be assigned "
            "again; restoring is free",
        ]
        if change.assigned_user:
            lines.append(f"• then <@{change.assigned_user}> is assigned one of them")
        submit = "Restore seats"
    return _review_modal(
        lines,
        change.pool_after.model_dump(),
        change.next_invoice_estimate,
        change.currency,
        metadata,
        submit,
        note,
    )


def _review_modal(
    lines: list[str],
    pool_after: dict[str, int],
    estimate: Decimal,
    currency: str,
    metadata: str,
    submit: str,
    note: str | None,
) -> View:
    after = (
        f"Pool after: {pool_after['purchased']} purchased · {pool_after['assigned']} assigned · "
        f"{pool_after['available']} available · {pool_after['scheduled_for_removal']} "
        "scheduled for removal"
    )
    return View(
        type="modal",
        callback_id=ids.SEATS_REVIEW,
        private_metadata=metadata,
        title=PlainTextObject(text="Review"),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            *([_md(f":warning: {note}")] if note else []),
            _md("\n".join(lines)),
            _md(after),
            _md(f"Next invoice estimate: *{money(estimate, currency)}*"),
        ],
    )


def share_charged(quote: PurchaseQuote) -> str:
    """The part of the period a prorated charge covers: `18 days 6 hours of 28 days`, or in
    day mode `18 of 28 days`."""
    start = quote.period_start or quote.covers_start
    if quote.by_days:
        zone = ZoneInfo(quote.time_zone)
        first, now, end = (
            t.astimezone(zone).date() for t in (start, quote.covers_start, quote.covers_end)
        )
        return f"{(end - now).days} of {(end - first).days} days"
    return f"{span(quote.covers_end - quote.covers_start)} of {span(quote.covers_end - start)}"


def purchase_done_text(quote: PurchaseQuote, user_id: str) -> str:
    parts = [f"<@{user_id}> bought {_seats(quote.requested, quote.product_name)} in {quote.office}"]
    if quote.restored:
        parts.append(f"{quote.restored} restored free")
    if quote.charged_seats:
        parts.append(f"{money(quote.amount, quote.currency)} charged")
    if quote.assigned_user:
        parts.append(f"<@{quote.assigned_user}> now holds one")
    return ": ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def seat_change_done_text(operation: str, change: SeatChange, user_id: str) -> str:
    time_zone = change.time_zone
    seats = _seats(change.count, change.product_name)
    they, leave = ("it", "leaves") if change.count == 1 else ("they", "leave")
    if operation == "remove" and change.immediate:
        return (
            f"<@{user_id}> removed {seats} from {change.office} (free trial: {they} left at once)"
        )
    if operation == "remove":
        return (
            f"<@{user_id}> scheduled {seats} in {change.office} for removal: "
            f"{they} {leave} on {when(change.takes_effect, time_zone)}"
        )
    restored = f"<@{user_id}> restored {seats} in {change.office}"
    if change.assigned_user:
        return f"{restored}: <@{change.assigned_user}> now holds one"
    return restored


def _seats(count: int, product_name: str) -> str:
    """`1 Talk seat`, `3 Talk seats`."""
    return plural(count, f"{product_name} seat")


def no_seat_message(
    refusal: NoSeatAvailable, product_id: str, office: str, user_id: str
) -> Message:
    """The refusal of an assignment, with buttons whose seat then goes to `user_id`."""
    value = SeatPreset(product=product_id, office=office, count=1, assign=user_id).dump()
    buttons = [
        ButtonElement(text="Buy 1 seat", action_id=ids.OPEN_BUY, value=value, style="primary")
    ]
    if refusal.scheduled:
        buttons.append(
            ButtonElement(text="Restore 1 seat", action_id=ids.OPEN_RESTORE, value=value)
        )
    return _blocks_message(refusal.message, [_md(refusal.message), ActionsBlock(elements=buttons)])
