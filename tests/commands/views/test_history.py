"""Invoices and the audit log, as the replies say them."""

from __future__ import annotations

from commands.views.history import audit_message, invoices_message
from licensing.schemas import AuditTrail, InvoiceHistory, LedgerView
from tests.commands.views.samples import T0, all_notices


def test_invoice_lines_show_their_amounts_as_money() -> None:
    renewal = all_notices()[4].facts.closed
    assert renewal is not None and renewal.invoice is not None
    history = InvoiceHistory(
        time_zone="UTC", invoices=[renewal.invoice], total=1, page=1, per_page=10
    )
    assert invoices_message(history)["text"] == (
        "*Invoices* (newest first)\n"
        "#7 renewal, for Feb 28, 2026 – Mar 31, 2026 · *45.00 USD* — 3 × talk (Main) 45.00 USD"
    )


def test_a_page_of_invoices_says_which_of_how_many_and_how_to_see_older_ones() -> None:
    renewal = all_notices()[4].facts.closed
    assert renewal is not None and renewal.invoice is not None
    invoices = [renewal.invoice] * 10
    history = InvoiceHistory(time_zone="UTC", invoices=invoices, total=41, page=2, per_page=10)
    lines = invoices_message(history)["text"].split("\n")
    assert lines[0] == "*Invoices, 11–20 of 41* (newest first)"
    assert lines[-1] == "Older: `/license invoices 3`"
    past = InvoiceHistory(time_zone="UTC", invoices=[], total=41, page=9, per_page=10)
    assert invoices_message(past)["text"] == "There is no page 9: there are 5 pages."


def test_the_audit_log_counts_seats_with_their_noun() -> None:
    entry = LedgerView(
        id=1,
        at=T0,
        event="seat_assigned",
        actor="U1",
        office="Main",
        product_id="talk",
        user_id="U2",
        seats=1,
        amount=0,
        currency=None,
        invoice_id=None,
        detail="",
    )
    bought = entry.model_copy(
        update={
            "event": "seats_purchased",
            "user_id": None,
            "seats": 2,
            "amount": 30,
            "currency": "USD",
        }
    )
    named = bought.model_copy(update={"product_name": "Talk"})
    trail = AuditTrail(time_zone="UTC", entries=[entry, named], total=41, page=1, per_page=25)
    assert audit_message(trail)["text"].split("\n") == [
        "*Audit log, 1–2 of 41* (oldest first)",
        "Feb 10, 2026 09:00 UTC · <@U1> gave <@U2> a seat: 1 talk seat in Main",
        "Feb 10, 2026 09:00 UTC · <@U1> bought 2 Talk seats in Main · 30.00 USD",
        "Earlier: `/license audit 2`",
    ]
