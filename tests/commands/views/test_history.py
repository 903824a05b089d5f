"""Invoices and the audit log, as the replies say them."""

from __future__ import annotations

from commands.views.history import audit_message, invoices_message
from licensing.schemas import AuditTrail, InvoiceHistory, LedgerView
from tests.commands.views.samples import T0, all_notices


def test_invoice_lines_show_their_amounts_as_money() -> None:
    renewal = all_notices()[4].facts.closed
    assert renewal is not None and renewal.invoice is not None
    history = InvoiceHistory(time_zone="UTC", invoices=[renewal.invoice])
    assert invoices_message(history)["text"] == (
        "#7 renewal · Feb 28, 2026 09:00 UTC · *45.00 USD* — 3 × Talk (Main) 45.00 USD"
    )


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
    trail = AuditTrail(time_zone="UTC", entries=[entry, bought])
    assert audit_message(trail)["text"].split("\n") == [
        "Feb 10, 2026 09:00 UTC · seat_assigned · <@U1> <@U2> talk Main 1 seat",
        "Feb 10, 2026 09:00 UTC · seats_purchased · <@U1> talk Main 2 seats 30.00 USD",
    ]
