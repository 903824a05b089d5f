"""The seat modals and the no-seat reply."""

from __future__ import annotations

from commands.views.seats import no_seat_message, purchase_review_modal
from licensing.errors import NoSeatAvailable
from tests.commands.views.samples import QUOTE


def test_the_review_shows_restored_seats_the_prorated_charge_and_its_dates() -> None:
    text = str(
        purchase_review_modal(
            QUOTE.model_copy(update={"time_zone": "Europe/Berlin"}), "{}"
        ).to_dict()
    )
    assert "1 seat(s) scheduled for removal are restored, free" in text
    assert "2 new seat(s) charged *19.29 USD* now" in text
    assert "Feb 10, 2026 10:00 CET to Feb 28, 2026 10:00 CET" in text
    assert "Next invoice estimate: *75.00 USD*" in text


def test_no_seat_offers_to_buy_and_to_restore() -> None:
    refusal = NoSeatAvailable("Talk", purchased=3, assigned=2, scheduled=1)
    actions = no_seat_message(refusal, "talk", "Main", "UDANA")["blocks"][1]["elements"]
    assert [a["text"]["text"] for a in actions] == ["Buy 1 seat", "Restore 1 seat"]
