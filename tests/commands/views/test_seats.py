"""The seat modals and the no-seat reply."""

from __future__ import annotations

from slack_sdk.models.views import View

from commands.views.seats import (
    no_seat_message,
    purchase_review_modal,
    seat_change_done_text,
    seat_change_review_modal,
)
from licensing.errors import NoSeatAvailable
from tests.commands.views.samples import CHANGE, QUOTE


def test_the_review_shows_restored_seats_the_prorated_charge_and_its_dates() -> None:
    text = str(
        purchase_review_modal(
            QUOTE.model_copy(update={"time_zone": "Europe/Berlin"}), "{}"
        ).to_dict()
    )
    assert "1 seat scheduled for removal is restored, free" in text
    assert "2 new seats charged *19.29 USD* now" in text
    assert "Feb 10, 2026 10:00 CET to Feb 28, 2026 10:00 CET" in text
    assert "Next invoice estimate: *75.00 USD*" in text


def test_no_seat_offers_to_buy_and_to_restore() -> None:
    refusal = NoSeatAvailable("Talk", purchased=3, assigned=2, scheduled=1)
    actions = no_seat_message(refusal, "talk", "Main", "UDANA")["blocks"][1]["elements"]
    assert [a["text"]["text"] for a in actions] == ["Buy 1 seat", "Restore 1 seat"]


def _lines(view: View) -> list[str]:
    return str(view.to_dict()["blocks"][0]["text"]["text"]).split("\n")


def test_the_removal_review_says_what_happens_to_the_seats_until_they_leave() -> None:
    assert _lines(seat_change_review_modal("remove", CHANGE, "{}")) == [
        "*Remove 1 Talk seat from Main*",
        "• only unassigned seats are removed, so nobody loses a seat",
        "• from now on it cannot be assigned; it stays paid until Feb 28, 2026 09:00 UTC, then "
        "leaves; no refund",
        "• until then you can restore it, free",
    ]


def test_the_trial_removal_review_says_the_seats_leave_at_once() -> None:
    trial = CHANGE.model_copy(update={"count": 2, "immediate": True})
    assert _lines(seat_change_review_modal("remove", trial, "{}")) == [
        "*Remove 2 Talk seats from Main*",
        "• free trial: they leave at once",
    ]


def test_what_a_removal_did_is_said_as_it_happened() -> None:
    trial = CHANGE.model_copy(update={"count": 2, "immediate": True})
    assert seat_change_done_text("remove", trial, "U1") == (
        "<@U1> removed 2 Talk seats from Main (free trial: they left at once)"
    )
    assert seat_change_done_text("remove", CHANGE, "U1") == (
        "<@U1> scheduled 1 Talk seat in Main for removal: it leaves on Feb 28, 2026 09:00 UTC"
    )
    assert seat_change_done_text("restore", CHANGE, "U1") == "<@U1> restored 1 Talk seat in Main"


def test_a_purchase_of_one_seat_is_one_seat() -> None:
    one = QUOTE.model_copy(update={"requested": 1, "restored": 0, "charged_seats": 1})
    assert _lines(purchase_review_modal(one, "{}"))[:2] == [
        "*Buy 1 Talk seat in Main*",
        "• 1 new seat charged *19.29 USD* now, prorated from Feb 10, 2026 09:00 UTC to "
        "Feb 28, 2026 09:00 UTC (18 days of 28 days)",
    ]
