"""Every Block Kit message and modal licensebot shows, built from read models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands import ids
from commands.parsing import LicenseCommand
from licensing.catalog import Catalog
from licensing.errors import NoSeatAvailable
from licensing.schemas import (
    SYSTEM_ACTOR,
    AccountStatus,
    AssignmentChange,
    InvoiceView,
    LedgerView,
    NoticeFacts,
    NoticeView,
    PoolHolders,
    PurchaseQuote,
    RemovalPool,
    RoleView,
    SeatChange,
    SubscribeQuote,
    SubscriptionChange,
)

Message = dict[str, Any]  # the body of an ephemeral or channel message

VERBS = {
    "buy": ("Buy", "bought"),
    "remove": ("Remove", "scheduled for removal"),
    "restore": ("Restore", "restored"),
}

HELP = """*`/license` — run your company's paid seats*
• `status [office]` — seats per office and product, and the next invoice
• `buy N [product] [office]` — buy seats (seats scheduled for removal are restored first, free)
• `remove N [product] [office]` — schedule unassigned seats to leave at the period end
• `restore N [product] [office]` — keep seats that are scheduled for removal, free
• `assign @user [product] [office]` · `revoke @user [product]`
• `users [product] [office]` — who holds which seat
• `subscription [subscribe|cancel|reactivate|billing DETAILS]`
• `invoices` · `audit` · `admins [list|add|remove] @user [office]` · `channel #channel`
• `offices [add NAME]` · `timezone Area/City` · `reminders [DAYS]` — when notices go out
Leave out an argument and licensebot asks for it."""


def money(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else f"{amount:,} {currency}"


def when(moment: datetime | None, time_zone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%b %-d, %Y %H:%M %Z")


def day(moment: datetime, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%b %-d, %Y")


def text_message(text: str) -> Message:
    return {"response_type": "ephemeral", "text": text}


def _blocks_message(text: str, blocks: Sequence[Block]) -> Message:
    return {"response_type": "ephemeral", "text": text, "blocks": [b.to_dict() for b in blocks]}


def _md(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def help_message() -> Message:
    return text_message(HELP)


# status


def status_blocks(status: AccountStatus) -> list[Block]:
    sub, tz = status.subscription, status.subscription.time_zone
    ends = "Trial ends" if sub.status == "trialing" else "Period ends"
    blocks: list[Block] = [
        HeaderBlock(text="Licenses"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Subscription *{sub.status}* ({sub.interval}ly) · {ends} {when(sub.period_end, tz)}"
                )
            ]
        ),
    ]
    for pool in status.pools:
        seats = pool.seats
        idle = (
            f" · unassigned seats cost {money(pool.idle_cost, status.currency)} a {sub.interval}"
            if seats.available
            else ""
        )
        blocks.append(
            _md(
                f"*{pool.product_name}* in {pool.office}\n"
                f"{seats.purchased} purchased · {seats.assigned} assigned · {seats.available} available"
                f" · {seats.scheduled_for_removal} scheduled for removal{idle}"
            )
        )
    if status.next_invoice_estimate is not None:
        blocks.append(DividerBlock())
        blocks.append(
            _md(f"Next invoice estimate: *{money(status.next_invoice_estimate, status.currency)}*")
        )
    if status.is_company_admin:
        where = f"<#{status.notice_channel}>" if status.notice_channel else "company admins by DM"
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Notices go to {where}; reminders {status.notice_lead_days} day(s) "
                        "before each period ends."
                    )
                ]
            )
        )
    if status.your_seats:
        held = ", ".join(f"{s.product_name} ({s.office})" for s in status.your_seats)
        blocks.append(_md(f"Your seats: {held}"))
    elif not status.pools:
        blocks.append(_md("You hold no seat. Ask an admin if you need one."))
    return blocks


def status_message(status: AccountStatus) -> Message:
    return _blocks_message("License status", status_blocks(status))


def home_view(status: AccountStatus | None, problem: str | None = None) -> View:
    """The App Home tab: the pools, the period and the next invoice; buttons for admins."""
    if status is None:
        return View(type="home", blocks=[HeaderBlock(text="licensebot"), _md(problem or "")])
    blocks = status_blocks(status)
    if status.pools or status.is_company_admin:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Buy seats", action_id=ids.OPEN_BUY, value="{}", style="primary"
                    ),
                    ButtonElement(text="Remove seats", action_id=ids.OPEN_REMOVE, value="{}"),
                    ButtonElement(text="Restore seats", action_id=ids.OPEN_RESTORE, value="{}"),
                ]
            )
        )
    return View(type="home", blocks=blocks)


# seat changes: entry, review, result


def seats_entry_modal(
    action: str,
    catalog: Catalog,
    offices: list[str],
    count: int | None,
    product: str | None,
    office: str | None,
    notice: dict[str, str] | None = None,
) -> View:
    """`notice`: the notice whose button opened the modal, updated once it is confirmed."""
    title, _ = VERBS[action]
    count_input = InputBlock(
        block_id=ids.COUNT_BLOCK,
        label="Seats",
        element=NumberInputElement(
            action_id=ids.COUNT_ACTION,
            is_decimal_allowed=False,
            min_value="1",
            initial_value=str(count) if count else None,
        ),
    )
    return View(
        type="modal",
        callback_id=ids.SEATS_ENTRY,
        private_metadata=json.dumps(_with_notice({"action": action}, notice)),
        title=PlainTextObject(text=f"{title} seats"),
        submit=PlainTextObject(text="Next"),
        close=PlainTextObject(text="Cancel"),
        blocks=[count_input, _product_input(catalog, product), _office_input(offices, office)],
    )


def _with_notice(metadata: dict[str, Any], notice: dict[str, str] | None) -> dict[str, Any]:
    return {**metadata, "notice": notice} if notice else metadata


def _product_input(catalog: Catalog, product: str | None) -> InputBlock:
    options = [Option(value=p.id, label=p.name) for p in catalog.products]
    return InputBlock(
        block_id=ids.PRODUCT_BLOCK,
        label="Product",
        element=StaticSelectElement(
            action_id=ids.PRODUCT_ACTION, options=options, initial_option=_pick(options, product)
        ),
    )


def _office_input(offices: list[str], office: str | None) -> InputBlock:
    options = [Option(value=o, label=o) for o in offices]
    return InputBlock(
        block_id=ids.OFFICE_BLOCK,
        label="Office",
        element=StaticSelectElement(
            action_id=ids.OFFICE_ACTION,
            options=options,
            initial_option=_pick(options, office) or _pick(options, "Main"),
        ),
    )


def _pick(options: list[Option], value: str | None) -> Option | None:
    return next((o for o in options if value is not None and o.value == value), None)


def purchase_review_modal(quote: PurchaseQuote, time_zone: str, metadata: dict[str, Any]) -> View:
    c = quote.currency
    lines = [f"*Buy {quote.requested} {quote.product_name} seat(s) in {quote.office}*"]
    if quote.restored:
        lines.append(f"• {quote.restored} seat(s) scheduled for removal are restored, free")
    if quote.free_trial:
        lines.append(f"• {quote.requested - quote.restored} seat(s) added free during the trial")
    elif quote.charged_seats:
        lines.append(
            f"• {quote.charged_seats} new seat(s) charged *{money(quote.amount, c)}* now, prorated "
            f"from {when(quote.covers_start, time_zone)} to {when(quote.covers_end, time_zone)}"
        )
    return _review_modal(
        lines,
        quote.pool_after.model_dump(),
        quote.next_invoice_estimate,
        c,
        metadata,
        "Confirm purchase",
    )


def seat_change_review_modal(
    action: str, change: SeatChange, time_zone: str, metadata: dict[str, Any]
) -> View:
    if action == "remove":
        timing = (
            "they leave now (free trial)"
            if change.immediate
            else f"they stay paid and usable until {when(change.takes_effect, time_zone)}, then leave;"
            " no refund"
        )
        lines = [
            f"*Remove {change.count} {change.product_name} seat(s) from {change.office}*",
            f"• {timing}",
        ]
        submit = "Remove seats"
    else:
        lines = [
            f"*Restore {change.count} {change.product_name} seat(s) in {change.office}*",
            "• they stay after the period end; restoring is free",
        ]
        submit = "Restore seats"
    return _review_modal(
        lines,
        change.pool_after.model_dump(),
        change.next_invoice_estimate,
        change.currency,
        metadata,
        submit,
    )


def _review_modal(
    lines: list[str],
    pool_after: dict[str, int],
    estimate: Decimal,
    currency: str,
    metadata: dict[str, Any],
    submit: str,
) -> View:
    after = (
        f"Pool after: {pool_after['purchased']} purchased · {pool_after['assigned']} assigned · "
        f"{pool_after['available']} available · {pool_after['scheduled_for_removal']} "
        "scheduled for removal"
    )
    return View(
        type="modal",
        callback_id=ids.SEATS_REVIEW,
        private_metadata=json.dumps(metadata),
        title=PlainTextObject(text="Review"),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            _md("\n".join(lines)),
            _md(after),
            _md(f"Next invoice estimate: *{money(estimate, currency)}*"),
        ],
    )


def done_modal(title: str, text: str) -> View:
    return View(
        type="modal",
        callback_id=ids.SEATS_DONE,
        title=PlainTextObject(text=title),
        close=PlainTextObject(text="Done"),
        blocks=[_md(text)],
    )


def purchase_done_text(quote: PurchaseQuote, user_id: str) -> str:
    parts = [
        f"<@{user_id}> bought {quote.requested} {quote.product_name} seat(s) in {quote.office}"
    ]
    if quote.restored:
        parts.append(f"{quote.restored} restored free")
    if quote.charged_seats:
        parts.append(f"{money(quote.amount, quote.currency)} charged")
    return ": ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def seat_change_done_text(action: str, change: SeatChange, user_id: str, time_zone: str) -> str:
    if action == "remove":
        tail = (
            "removed now"
            if change.immediate
            else f"leave on {when(change.takes_effect, time_zone)}"
        )
        return (
            f"<@{user_id}> scheduled {change.count} {change.product_name} seat(s) in "
            f"{change.office} for removal: {tail}"
        )
    return f"<@{user_id}> restored {change.count} {change.product_name} seat(s) in {change.office}"


# people


def assigned_message(change: AssignmentChange) -> Message:
    return text_message(
        f"<@{change.user_id}> now holds a {change.product_name} seat in {change.office}. "
        f"{change.pool_after.available} seat(s) left."
    )


def revoked_message(change: AssignmentChange) -> Message:
    also = f" Also revoked: {', '.join(change.also_revoked)}." if change.also_revoked else ""
    return text_message(
        f"<@{change.user_id}> no longer holds a {change.product_name} seat in {change.office}."
        f"{also} The seat is available again."
    )


def no_seat_message(refusal: NoSeatAvailable, product_id: str, office: str) -> Message:
    value = json.dumps({"product": product_id, "office": office, "count": 1})
    buttons = [
        ButtonElement(text="Buy 1 seat", action_id=ids.OPEN_BUY, value=value, style="primary")
    ]
    if refusal.scheduled:
        buttons.append(
            ButtonElement(text="Restore 1 seat", action_id=ids.OPEN_RESTORE, value=value)
        )
    return _blocks_message(refusal.message, [_md(refusal.message), ActionsBlock(elements=buttons)])


def users_message(pools: list[PoolHolders]) -> Message:
    if not pools:
        return text_message("No seats match. Try `/license status`.")
    lines = []
    for pool in pools:
        holders = ", ".join(f"<@{u}>" for u in pool.user_ids) or "nobody"
        more = " and more" if pool.more else ""
        lines.append(f"*{pool.product_name}* in {pool.office}: {holders}{more}")
    return text_message("\n".join(lines))


def invoices_message(invoices: list[InvoiceView], time_zone: str) -> Message:
    if not invoices:
        return text_message("No invoices yet.")
    lines = []
    for invoice in invoices:
        detail = "; ".join(
            f"{line.seats} × {line.product_id} ({line.office}) {line.amount}"
            for line in invoice.lines
        )
        lines.append(
            f"#{invoice.id} {invoice.kind} · {when(invoice.created_at, time_zone)} · "
            f"*{money(invoice.total, invoice.currency)}* — {detail}"
        )
    return text_message("\n".join(lines))


def audit_message(entries: list[LedgerView], time_zone: str) -> Message:
    lines = []
    for e in entries:
        what = " ".join(str(x) for x in (e.product_id, e.office) if x)
        amount = f" {money(e.amount, e.currency)}" if e.currency else ""
        user = f" <@{e.user_id}>" if e.user_id else ""
        actor = e.actor if e.actor == SYSTEM_ACTOR else f"<@{e.actor}>"
        detail = f" — {e.detail}" if e.detail else ""
        lines.append(
            f"{when(e.at, time_zone)} · {e.event} · {actor}{user} {what}"
            f" {e.seats or ''}{amount}".rstrip()
            + detail
        )
    return text_message("\n".join(lines) or "Nothing recorded yet.")


def roles_message(roles: list[RoleView]) -> Message:
    lines = [
        f"<@{r.user_id}> — {r.role.replace('_', ' ')}" + (f" of {r.office}" if r.office else "")
        for r in roles
    ]
    return text_message("\n".join(lines) + "\nWorkspace owners and admins are company admins too.")


# subscription: subscribe, cancel, reactivate


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


def people_entry_modal(
    action: str, catalog: Catalog, offices: list[str], command: LicenseCommand, channel_id: str
) -> View:
    """Asks for what `/license assign` or `revoke` was not given; acts on submit."""
    user_input = InputBlock(
        block_id=ids.USER_BLOCK,
        label="User",
        element=UserSelectElement(action_id=ids.USER_ACTION, initial_user=command.user_id),
    )
    blocks: list[Block] = [user_input, _product_input(catalog, command.product)]
    if action == "assign":
        blocks.append(_office_input(offices, command.office))
    title = "Assign a seat" if action == "assign" else "Revoke a seat"
    return View(
        type="modal",
        callback_id=ids.PEOPLE_ENTRY,
        private_metadata=json.dumps({"action": action, "channel": channel_id}),
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text="Assign" if action == "assign" else "Revoke"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


# notices

MAX_POOLS_WITH_BUTTONS = 20  # two blocks each, within Slack's 50 blocks a message


def reminders_message(status: AccountStatus) -> Message:
    where = f"<#{status.notice_channel}>" if status.notice_channel else "company admins by DM"
    return text_message(
        f"Reminders go out {status.notice_lead_days} day(s) before each period ends, to {where}. "
        "Change it with `/license reminders DAYS` (1 to 30)."
    )


def notice_message(notice: NoticeView) -> Message:
    """A notice as posted to the notice channel or an admin's DM: `text` and `blocks`."""
    facts, tz = notice.facts, notice.time_zone
    text, blocks = _NOTICE_BUILDERS[facts.kind](notice, facts, tz)
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def _removal_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    day = when(facts.period_end, tz)
    seats = sum(pool.seats for pool in facts.removals)
    text = f"{seats} seat(s) are scheduled for removal on {day}"
    blocks: list[Block] = [
        _md(
            f":hourglass_flowing_sand: *{text}.*\nThey leave when the period ends. "
            "Restore any you still need: it is free."
        )
    ]
    for pool in facts.removals[:MAX_POOLS_WITH_BUTTONS]:
        blocks.append(
            _md(
                f"*{pool.product_name}* in {pool.office}: {pool.seats} of {pool.purchased} "
                "seats scheduled for removal"
            )
        )
        blocks.append(_restore_buttons(notice, facts, pool))
    if len(facts.removals) > MAX_POOLS_WITH_BUTTONS:
        more = len(facts.removals) - MAX_POOLS_WITH_BUTTONS
        blocks.append(
            _md(
                f"…and {more} more pool(s): see `/license status`, restore with `/license restore`."
            )
        )
    return text, blocks


def _restore_buttons(notice: NoticeView, facts: NoticeFacts, pool: RemovalPool) -> ActionsBlock:
    target = {"product": pool.product_id, "office": pool.office}
    restore = {**target, "count": pool.seats, "period_end": facts.period_end.isoformat()}
    choose = {**target, "count": pool.seats, "notice": notice.id}
    return ActionsBlock(
        block_id=f"{ids.RESTORE_BLOCK_PREFIX}{pool.office}|{pool.product_id}"[:255],
        elements=[
            ButtonElement(
                text=f"Restore {pool.seats} seat{'s' if pool.seats != 1 else ''}",
                action_id=ids.NOTICE_RESTORE,
                value=json.dumps({**restore, "notice": notice.id}),
                style="primary",
            ),
            ButtonElement(
                text="Choose how many…", action_id=ids.OPEN_RESTORE, value=json.dumps(choose)
            ),
        ],
    )


def _renewal_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    text = f"Your subscription renews on {when(facts.period_end, tz)}"
    lines = [
        f"• {line.seats} × {line.product_id} in {line.office}: {money(line.amount, facts.currency)}"
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


def _cancellation_notice(
    notice: NoticeView, facts: NoticeFacts, tz: str
) -> tuple[str, list[Block]]:
    text = f"Your subscription ends on {when(facts.period_end, tz)}"
    gone = facts.to_delete
    deleted = (
        f"offices {', '.join(gone.offices)}; {gone.seats} seat(s), {gone.assigned} of them "
        f"assigned; {gone.admins} admin role(s)"
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
    value = json.dumps({"notice": notice.id})
    button = ButtonElement(text=text, action_id=action_id, value=value, style="primary")
    return ActionsBlock(block_id=block_id, elements=[button])


def _period_end_notice(notice: NoticeView, facts: NoticeFacts, tz: str) -> tuple[str, list[Block]]:
    closed = facts.closed
    assert closed is not None, "a period-end notice carries its result"
    day = when(closed.period_end, tz)
    if closed.outcome == "expired":
        text = f"Your free trial ended on {day}"
        body = "Seats stopped working; nothing was charged. Subscribe to go on: `/license subscription subscribe`."
    elif closed.outcome == "canceled":
        text = f"Your subscription ended on {day}"
        body = "Offices, seats, assignments and roles were deleted. Invoices and the audit log are kept."
    else:
        text = f"The period ending {day} closed"
        body = "\n".join(_renewal_result(facts, tz))
    return text, [_md(f":receipt: *{text}.*\n{body}")]


def _renewal_result(facts: NoticeFacts, tz: str) -> list[str]:
    closed = facts.closed
    assert closed is not None
    lines = [f"• {r.seats} {r.product_id} seat(s) left {r.office}" for r in closed.removed]
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
    """What a change made under an idempotency key did, from the result it returned."""
    if operation == "purchase":
        return purchase_done_text(PurchaseQuote.model_validate(result), user_id)
    if operation in ("remove", "restore"):
        change = SeatChange.model_validate(result)
        return seat_change_done_text(operation, change, user_id, time_zone)
    if operation == "subscribe":
        quote = SubscribeQuote.model_validate(result)
        return subscription_done_text(operation, quote, user_id, time_zone)
    change_of_subscription = SubscriptionChange.model_validate(result)
    return subscription_done_text(operation, change_of_subscription, user_id, time_zone)


_NOTICE_BUILDERS = {
    "activity": _activity_notice,
    "removal_scheduled": _removal_notice,
    "renewal_coming": _renewal_notice,
    "trial_ending": _trial_notice,
    "cancellation_coming": _cancellation_notice,
    "period_ended": _period_end_notice,
}


def notice_after_action(
    blocks: list[dict[str, Any]], block_id: str, outcome: str
) -> list[dict[str, Any]]:
    """The notice's blocks with the buttons of `block_id` replaced by what was done, so they
    cannot be pressed again."""
    done = ContextBlock(
        block_id=block_id, elements=[MarkdownTextObject(text=f":white_check_mark: {outcome}")]
    )
    return [done.to_dict() if b.get("block_id") == block_id else b for b in blocks]
