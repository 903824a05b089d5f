"""The status reply, help, reminders and the App Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
)
from slack_sdk.models.views import View

from commands import ids
from commands.carried import SeatPreset
from commands.views.billing import standing_lines
from commands.views.common import (
    Message,
    _blocks_message,
    _md,
    money,
    plural,
    text_message,
    when,
)
from licensing.model import Status
from licensing.schemas import AccountStatus, SubscriptionSummary

HELP = """*`/license` — run your company's paid seats*
• `status [office]` — seats per office and product, and the next invoice
• `buy N [product] [office]` — buy seats (seats scheduled for removal are restored first, free)
• `remove N [product] [office]` — schedule unassigned seats to leave at the period end
• `restore N [product] [office]` — keep seats that are scheduled for removal, free
• `assign @user [product] [office]` · `revoke @user [product]`
• `users [product] [office]` — who holds which seat
• `subscription [subscribe|cancel|reactivate|billing [DETAILS]|interval monthly|annual]`
• `invoices` · `audit` · `admins [list|add|remove] @user [office]` · `channel #channel`
• `offices [add NAME | rename OLD to NEW | remove NAME]`
• `timezone [Area/City]` — the billing time zone · `reminders [DAYS]` — when notices go out
• `retries [3,5,7]` — when a failed charge is tried again (where invoices are charged)
Leave out an argument and licensebot asks for it. Without an office, a command acts on the \
first office, Main (an office admin's on their own office). `buy 3 talk seats`, \
`buy 1,000 talk` and the like are understood too."""


NO_PRESET = SeatPreset().dump()
# A pool takes one block; with the header, the totals and the buttons, a message stays within
# Slack's 50 blocks.
MAX_POOLS_SHOWN = 40


def help_message() -> Message:
    return text_message(HELP)


# What happened, and how to start again, for a subscription that is over.
_ENDED = {
    Status.CANCELED: (
        ":information_source: *The subscription has ended.* Its offices, seats, assignments "
        "and roles were deleted; invoices and the audit log are kept. To start again, a "
        "company admin adds billing details (`/license subscription billing …`) and runs "
        "`/license subscription subscribe`: a new paid subscription starts at once."
    ),
    Status.EXPIRED: (
        ":information_source: *The free trial has ended* and seats stopped working. "
        "A company admin can subscribe to use them again: `/license subscription subscribe`."
    ),
}


def _billed(sub: SubscriptionSummary) -> str:
    if sub.next_interval and sub.next_interval != sub.interval:
        return f"{sub.interval}ly; {sub.next_interval}ly from the next period"
    return f"{sub.interval}ly"


def status_blocks(status: AccountStatus, office: str | None = None) -> list[Block]:
    """The whole account as the actor may see it, or only `office`'s pools and seats."""
    sub, tz = status.subscription, status.subscription.time_zone
    pools = [p for p in status.pools if office in (None, p.office)]
    held = [s for s in status.your_seats if office in (None, s.office)]
    ends = {
        Status.TRIALING: "Trial ends",
        Status.CONVERTING: "Trial ends, then paid periods start",
    }.get(sub.status, "Period ends")
    blocks: list[Block] = [
        HeaderBlock(text="Licenses"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Subscription *{sub.status}* ({_billed(sub)}) · {ends} {when(sub.period_end, tz)}"
                )
            ]
        ),
    ]
    if sub.status in _ENDED:
        blocks.append(_md(_ENDED[sub.status]))
    admin = status.is_company_admin or bool(status.admin_of_offices)
    if admin and office is not None and office not in status.offices:
        blocks.append(_md(f"You do not manage {office}, so its seats are not shown here."))
    elif admin and not pools:
        where = (
            f"{office} has"
            if office
            else "The account has"
            if status.is_company_admin
            else "Your offices have"
        )
        blocks.append(_md(f"{where} no seats yet. Buy some with `/license buy`."))
    for pool in pools[:MAX_POOLS_SHOWN]:
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
    if len(pools) > MAX_POOLS_SHOWN:
        more = plural(len(pools) - MAX_POOLS_SHOWN, "more pool")
        blocks.append(_md(f"…and {more}: see one office with `/license status OFFICE`."))
    if status.next_invoice_estimate is not None:
        blocks.append(DividerBlock())
        every = " (all offices)" if office is not None else ""
        estimate = money(status.next_invoice_estimate, status.currency)
        blocks.append(_md(f"Next invoice estimate{every}: *{estimate}*"))
    owed = standing_lines(status.billing, status.currency, sub.time_zone) if status.billing else []
    if owed:
        blocks.append(_md("\n".join(owed)))
    if status.is_company_admin:
        where = f"<#{status.notice_channel}>" if status.notice_channel else "company admins by DM"
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Notices go to {where}; reminders "
                        f"{plural(status.notice_lead_days, 'day')} before each period ends."
                    )
                ]
            )
        )
    if held:
        blocks.append(_md(f"Your seats: {your_seats(status, office)}"))
    elif not admin:
        where = f" in {office}" if office else ""
        blocks.append(_md(f"You hold no seat{where}. Ask an admin if you need one."))
    return blocks


def your_seats(status: AccountStatus, office: str | None = None) -> str:
    """`Talk (Main), Meetings (Main)`, or `none`."""
    held = [s for s in status.your_seats if office in (None, s.office)]
    return ", ".join(f"{s.product_name} ({s.office})" for s in held) or "none"


def status_message(status: AccountStatus, office: str | None = None) -> Message:
    title = f"License status of {office}" if office else "License status"
    return _blocks_message(title, status_blocks(status, office))


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
                        text="Buy seats", action_id=ids.OPEN_BUY, value=NO_PRESET, style="primary"
                    ),
                    ButtonElement(text="Remove seats", action_id=ids.OPEN_REMOVE, value=NO_PRESET),
                    ButtonElement(
                        text="Restore seats", action_id=ids.OPEN_RESTORE, value=NO_PRESET
                    ),
                ]
            )
        )
    return View(type="home", blocks=blocks)


def reminders_message(status: AccountStatus) -> Message:
    where = f"<#{status.notice_channel}>" if status.notice_channel else "company admins by DM"
    return text_message(
        f"Reminders go out {plural(status.notice_lead_days, 'day')} before each period ends, to "
        f"{where}. "
        "Change it with `/license reminders DAYS` (1 to 30)."
    )


def current_time_zone_message(status: AccountStatus) -> Message:
    zone = status.subscription.time_zone
    return text_message(
        f"The billing time zone is {zone}: periods end, and reminders go out, by its clock. "
        "A company admin changes it with `/license timezone Area/City`, e.g. "
        "`/license timezone Europe/Berlin`; a new time zone applies from the next period."
    )


def time_zone_message(status: AccountStatus) -> Message:
    """A new billing time zone applies from the next period: the current one keeps its end."""
    zone, end = status.subscription.time_zone, status.subscription.period_end
    text = f"Billing time zone is now {zone}."
    if end is not None:
        text += (
            f" The current period still ends on {when(end, zone)}; the periods after it follow "
            f"{zone}."
        )
    return text_message(text)
