"""Payments in Slack: a failed charge's notice and its buttons, receipts, what is owed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from commands import ids
from commands.carried import PaymentButton, read
from commands.views.billing import billing_message, contact_modal, standing_lines
from commands.views.notices import closed_notice, notice_message
from licensing.schemas import BillingStanding, ContactView, PaymentView
from tests.commands.views.samples import all_notices

FAILED, PAST_DUE, RECEIPT, ENDED_UNPAID = all_notices()[-4:]


def _text(message: dict[str, object]) -> str:
    return str(message["blocks"])


def test_a_failed_charge_says_the_amount_the_reason_and_when_it_is_tried_again() -> None:
    message = notice_message(FAILED)
    assert message["text"] == "The charge of 45.00 USD for invoice #7 failed"
    said = _text(message)
    assert "The payment provider said: Your card was declined." in said
    assert "It is tried again on Mar 3, 2026 10:00 CET, or at once when a new card is saved" in said
    assert "<https://pay.example/in_7|See the invoice>" in said
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert actions["block_id"] == ids.payment_block(7)
    update, retry = actions["elements"]
    assert (update["text"]["text"], retry["text"]["text"]) == ("Update card", "Retry now")
    assert read(PaymentButton, retry["value"]) == PaymentButton(notice=FAILED.id, invoice=7)


def test_after_the_last_retry_the_notice_says_the_account_is_past_due_and_when_it_ends() -> None:
    said = _text(notice_message(PAST_DUE))
    assert "That was the last retry: the account is past due" in said
    assert "the subscription ends on Feb 28, 2026 10:00 CET" in said


def test_a_failure_notice_loses_its_buttons_once_the_invoice_is_paid() -> None:
    posted = notice_message(FAILED)
    payment = FAILED.facts.payment
    assert payment is not None
    paid = payment.model_copy(update={"state": "paid"})
    settled = FAILED.model_copy(update={"facts": FAILED.facts.model_copy(update={"payment": paid})})
    closed = closed_notice(posted, settled)
    assert closed is not None
    assert not [b for b in closed["blocks"] if b["type"] == "actions"]
    assert "Invoice #7 has been paid: nothing is owed for it." in _text(closed)
    assert "Your card was declined." in _text(closed)  # what it said stays


def test_a_receipt_names_the_amount_the_card_and_the_invoice() -> None:
    assert notice_message(RECEIPT)["text"] == (
        "Received 45.00 USD from the visa ending 4242 for invoice #7"
    )


def test_a_subscription_ended_unpaid_says_why_and_how_to_start_again() -> None:
    said = _text(notice_message(ENDED_UNPAID))
    assert "Your subscription ended on Feb 28, 2026 10:00 CET, unpaid" in said
    assert "pay it (`/license subscription billing`), then subscribe again" in said


OWED = BillingStanding(
    card="visa ending 4242, expires 12/2030",
    owed=Decimal("75.00"),
    unpaid=[
        PaymentView(
            invoice_id=3, amount=Decimal("75.00"), currency="USD", state="failed", failures=4
        )
    ],
    past_due_since=datetime(2026, 2, 7, 9, tzinfo=UTC),
)


CONTACT = ContactView(
    company="Acme Ltd",
    email="billing@acme.example",
    vat_id="GB123456789",
    one_line="Acme Ltd, VAT GB123456789, billing@acme.example",
)


def test_billing_shows_the_contact_the_card_what_is_owed_and_a_link_to_the_card_page() -> None:
    message = billing_message(CONTACT, OWED, "USD", "https://pay.example/setup/cs_1")
    said = _text(message)
    assert "*Invoices name:* Acme Ltd, VAT GB123456789, billing@acme.example" in said
    assert "*Card for invoices:* visa ending 4242, expires 12/2030" in said
    assert "*Owed:* 75.00 USD (invoice #3)" in said
    assert "The account is past due" in said
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    card, contact = actions["elements"]
    assert card["url"] == "https://pay.example/setup/cs_1"
    assert contact["action_id"] == ids.OPEN_BILLING_CONTACT


def test_where_invoices_are_records_only_billing_shows_the_contact_alone() -> None:
    message = billing_message(ContactView(), None, "USD", None)
    said = _text(message)
    assert "*Invoices name:* nobody yet: add the billing contact." in said
    assert "Card" not in said
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Edit billing contact"]


def test_the_contact_modal_is_filled_with_what_is_stored_and_asks_company_and_email() -> None:
    modal = contact_modal(CONTACT).to_dict()
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert list(inputs) == [ids.COMPANY_BLOCK, ids.EMAIL_BLOCK, ids.ADDRESS_BLOCK, ids.VAT_BLOCK]
    assert inputs[ids.COMPANY_BLOCK]["element"]["initial_value"] == "Acme Ltd"
    assert "initial_value" not in inputs[ids.ADDRESS_BLOCK]["element"]
    assert [b.get("optional", False) for b in inputs.values()] == [False, False, True, True]


def test_status_tells_a_company_admin_what_is_unpaid_and_since_when() -> None:
    assert standing_lines(OWED, "USD", "Europe/Berlin") == [
        ":warning: *75.00 USD is unpaid* (invoice #3).",
        "Past due since Feb 7, 2026: buying seats and plan changes wait until it is paid. "
        "Update the card: `/license subscription billing`.",
    ]
    nothing_owed = OWED.model_copy(update={"unpaid": [], "owed": Decimal("0.00")})
    assert standing_lines(nothing_owed, "USD", "UTC") == []
