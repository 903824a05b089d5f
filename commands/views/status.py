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
from commands.views.common import (
    Message,
    _blocks_message,
    _md,
    money,
    plural,
    text_message,
    when,
)
from licensing.schemas import AccountStatus

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


NO_PRESET = SeatPreset().dump()


def help_message() -> Message:
    return text_message(HELP)


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
                        text=f"Notices go to {where}; reminders "
                        f"{plural(status.notice_lead_days, 'day')} before each period ends."
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
