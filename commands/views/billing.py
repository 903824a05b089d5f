"""Payments in Slack: the card and what is owed, a charge that failed with its buttons, and
the receipt line of one that was paid."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from commands import ids
from commands.carried import PaymentButton
from commands.views.common import Message, _blocks_message, _md, day, money, text_message, when
from licensing.schemas import (
    AccountStatus,
    BillingStanding,
    ContactView,
    NoticeFacts,
    NoticeView,
    PaymentFacts,
    PaymentView,
)


def billing_message(
    contact: ContactView, standing: BillingStanding | None, currency: str, card_page: str | None
) -> Message:
    """What `/license subscription billing` shows a company admin: who invoices name, with a
    button to edit it, and where invoices are collected the card on file, what is owed, and a
    fresh link to the provider's page for the card."""
    lines = [f"*Invoices name:* {contact.one_line or 'nobody yet: add the billing contact.'}"]
    buttons = [ButtonElement(text="Edit billing contact", action_id=ids.OPEN_BILLING_CONTACT)]
    if standing is not None and card_page is not None:
        lines.append(f"*Card for invoices:* {standing.card or 'No card is on file yet.'}")
        if standing.unpaid:
            lines.append(f"*Owed:* {money(standing.owed, currency)} ({_invoices(standing)})")
        if standing.past_due_since:
            lines.append(
                ":warning: The account is past due: buying seats and plan changes wait until "
                "this is paid."
            )
        lines.append(
            "Card details are entered on the payment provider's page, never in Slack. A failed "
            "charge is tried again as soon as a new card is saved."
        )
        buttons.insert(
            0,
            ButtonElement(
                text="Add or update the card",
                action_id=ids.CARD_PAGE,
                url=card_page,
                style="primary",
            ),
        )
    blocks: list[Block] = [_md("\n".join(lines)), ActionsBlock(elements=buttons)]
    return _blocks_message(lines[0], blocks)


def contact_modal(contact: ContactView) -> View:
    """The billing contact, filled with what is stored."""
    fields = [
        ("company", "Company", contact.company, False, "Acme Ltd"),
        ("email", "Billing e-mail", contact.email, False, "billing@acme.example"),
        ("address", "Address", contact.address, True, "1 Main St, London SW1A 1AA"),
        ("vat_id", "VAT id", contact.vat_id, True, "GB123456789"),
    ]
    blocks: list[Block] = [
        _md("Who and where invoices are made out to. Card details never go here.")
    ]
    for name, label, value, optional, example in fields:
        block, action = ids.CONTACT_FIELDS[name]
        element = PlainTextInputElement(
            action_id=action,
            initial_value=value or None,
            multiline=name == "address",
            placeholder=f"e.g. {example}",
        )
        blocks.append(InputBlock(block_id=block, label=label, element=element, optional=optional))
    return View(
        type="modal",
        callback_id=ids.BILLING_CONTACT,
        title=PlainTextObject(text="Billing contact"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


def card_page_message(card_page: str) -> Message:
    """A fresh link, for the Update card button of a failed charge's notice."""
    button = ButtonElement(text="Open the card page", action_id=ids.CARD_PAGE, url=card_page)
    text = "Save a new card on the payment provider's page; the charge is then tried again."
    return _blocks_message(text, [_md(text), ActionsBlock(elements=[button])])


def standing_lines(standing: BillingStanding, currency: str, time_zone: str) -> list[str]:
    """What `/license status` and the App Home add for a company admin: what is owed."""
    if not standing.unpaid:
        return []
    lines = [f":warning: *{money(standing.owed, currency)} is unpaid* ({_invoices(standing)})."]
    if standing.past_due_since:
        lines.append(
            f"Past due since {day(standing.past_due_since, time_zone)}: buying seats and plan "
            "changes wait until it is paid. Update the card: `/license subscription billing`."
        )
    return lines


def _invoices(standing: BillingStanding) -> str:
    return ", ".join(f"invoice #{p.invoice_id}" for p in standing.unpaid)


def payment_failed_notice(
    notice: NoticeView, facts: NoticeFacts, tz: str
) -> tuple[str, list[Block]]:
    payment = facts.payment
    assert payment is not None, "a payment notice carries its payment"
    amount = money(payment.amount, facts.currency)
    text = f"The charge of {amount} for invoice #{payment.invoice_id} failed"
    lines = [f":x: *{text}.*", f"The payment provider said: {payment.reason or 'declined'}"]
    lines += [line for line in [_what_next(payment, tz)] if line]
    if payment.hosted_url:
        lines.append(f"<{payment.hosted_url}|See the invoice>")
    return text, [_md("\n".join(lines)), _payment_buttons(notice, payment)]


def payment_settled_text(payment: PaymentFacts) -> str:
    """In place of a failure notice's buttons once the charge was settled."""
    settled = "paid" if payment.state == "paid" else "voided"
    return f"Invoice #{payment.invoice_id} has been {settled}: nothing is owed for it."


def _what_next(payment: PaymentFacts, tz: str) -> str:
    if payment.state in ("paid", "void"):
        return ""
    if payment.state == "due" and payment.next_attempt_at:
        return (
            f"It is tried again on {when(payment.next_attempt_at, tz)}, or at once when a new "
            "card is saved."
        )
    ends = (
        f" If it is still unpaid then, the subscription ends on "
        f"{when(payment.subscription_ends_at, tz)}."
        if payment.subscription_ends_at
        else ""
    )
    return (
        "That was the last retry: the account is past due. Seats keep working, but buying "
        f"seats and plan changes wait until it is paid.{ends}"
    )


def _payment_buttons(notice: NoticeView, payment: PaymentFacts) -> ActionsBlock:
    value = PaymentButton(notice=notice.id, invoice=payment.invoice_id).dump()
    return ActionsBlock(
        block_id=ids.payment_block(payment.invoice_id),
        elements=[
            ButtonElement(
                text="Update card", action_id=ids.NOTICE_UPDATE_CARD, value=value, style="primary"
            ),
            ButtonElement(text="Retry now", action_id=ids.NOTICE_RETRY_PAYMENT, value=value),
        ],
    )


def payment_received_notice(
    notice: NoticeView, facts: NoticeFacts, tz: str
) -> tuple[str, list[Block]]:
    payment = facts.payment
    assert payment is not None, "a payment notice carries its payment"
    card = f" from the {payment.card}" if payment.card else ""
    text = (
        f"Received {money(payment.amount, facts.currency)}{card} for invoice #{payment.invoice_id}"
    )
    link = f" · <{payment.hosted_url}|receipt>" if payment.hosted_url else ""
    return text, [_md(f":white_check_mark: {text}{link}")]


def retry_done_text(payment: PaymentView, user_id: str) -> str:
    amount = money(payment.amount, payment.currency)
    return (
        f"<@{user_id}> asked for invoice #{payment.invoice_id} ({amount}) to be charged again now."
    )


def retries_message(status: AccountStatus) -> Message:
    """When a failed charge is tried again, for `/license retries`."""
    standing = status.billing
    if standing is None or not standing.retry_days:
        return text_message(
            "Invoices are records only here: nothing is charged, so nothing is retried."
        )
    days = ", ".join(str(day) for day in standing.retry_days[:-1])
    said = f"{days} and {standing.retry_days[-1]}" if days else str(standing.retry_days[-1])
    return text_message(
        f"A failed charge is tried again {said} "
        f"day{'s' if standing.retry_days[-1] != 1 else ''} after it first fails, and at once "
        "when a new card is saved; after the last, the account is past due. A company admin "
        "changes the days with `/license retries 3,5,7` (1 to 5 of them, up to 60 days)."
    )
