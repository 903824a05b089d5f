"""The seat modals (enter → Next → review → Confirm) and the buttons that open them."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import ANY, AsyncMock

import pytest

from commands import ids
from commands.carried import (
    SEAT_ACTIONS,
    DamagedPayload,
    NoticeRef,
    Review,
    SeatEntry,
    SeatPreset,
    read,
)
from commands.confirm import CHANGED, ConfirmFlow
from commands.listeners.seats import SeatButton, SeatModals
from commands.parsing.fields import WHOLE_NUMBER
from commands.views.status import NO_PRESET
from licensing.errors import (
    NotAllowed,
    NotEnoughUnassignedSeats,
    QuoteChanged,
    QuoteExpired,
    UnknownProduct,
)
from licensing.requests import Purchase, Restore, ScheduleRemoval
from tests.commands.listeners.fakes import Harness, acked, as_dict
from tests.commands.listeners.payloads import (
    NOTICE_CHANNEL,
    NOTICE_TS,
    TRIGGER,
    VIEW_ID,
    click,
    home_click,
    posted_notice,
    seat_values,
    submitted,
)
from tests.commands.views.samples import CHANGE, QUOTE, T0

PURCHASE = Purchase(count=3, product="talk", office="Main")
REVIEWED = PURCHASE.model_copy(update={"priced_at": QUOTE.priced_at})
BUY = SeatEntry(action="buy").dump()
DAMAGED = ("Nothing changed", DamagedPayload.message)


def modals(harness: Harness) -> SeatModals:
    return SeatModals(harness.deps, ConfirmFlow(harness.deps))


def enter(harness: Harness, view: dict[str, Any]) -> AsyncMock:
    ack = AsyncMock()
    harness.run(modals(harness).entry(ack, harness.body, harness.context, harness.client.web, view))
    return ack


def confirm(harness: Harness, metadata: str) -> AsyncMock:
    view = submitted(metadata, callback_id=ids.SEATS_REVIEW)
    ack = AsyncMock()
    harness.run(
        modals(harness).confirm(ack, harness.body, harness.context, harness.client.web, view)
    )
    return ack


def shown(ack: AsyncMock) -> dict[str, Any]:
    """The view an ack updated the modal to."""
    ack.assert_awaited_once_with(response_action="update", view=ANY)
    return as_dict(acked(ack)["view"])


def title_and_text(view: dict[str, Any]) -> tuple[str, str]:
    return view["title"]["text"], view["blocks"][0]["text"]["text"]


# entry → review


def test_a_valid_form_is_quoted_and_updated_to_its_review(harness: Harness) -> None:
    ack = enter(harness, submitted(BUY, seat_values("3")))

    [call] = harness.service.quoted()
    assert call.request == PURCHASE
    review = shown(ack)
    assert review["callback_id"] == ids.SEATS_REVIEW
    assert review["submit"]["text"] == "Confirm purchase"
    assert read(Review, review["private_metadata"]) == Review.of(REVIEWED, QUOTE, None)
    assert harness.service.handled() == []


def test_the_review_carries_the_purchase_priced_when_it_was_quoted(harness: Harness) -> None:
    review = read(
        Review, shown(enter(harness, submitted(BUY, seat_values("3"))))["private_metadata"]
    )

    request, quote = review.reviewed()
    assert request == REVIEWED and request.priced_at == QUOTE.priced_at == T0
    assert quote == QUOTE


def test_a_removal_is_quoted_as_a_removal(harness: Harness) -> None:
    view = submitted(SeatEntry(action="remove").dump(), seat_values("1"))

    review = shown(enter(harness, view))

    assert [c.request for c in harness.service.quoted()] == [
        ScheduleRemoval(count=1, product="talk", office="Main")
    ]
    assert review["submit"]["text"] == "Remove seats"


@pytest.mark.parametrize("count", ["three", "-4", "2.5", "", "１"])
def test_a_count_that_is_not_a_whole_number_is_refused_on_the_count_field(
    harness: Harness, count: str
) -> None:
    ack = enter(harness, submitted(BUY, seat_values(count)))

    ack.assert_awaited_once_with(response_action="errors", errors={ids.COUNT_BLOCK: WHOLE_NUMBER})
    assert harness.service.calls == []


def test_an_unknown_product_refusal_lands_on_the_product_field(harness: Harness) -> None:
    refusal = UnknownProduct("chess", ["talk", "meetings"])
    harness.service.refuse(Purchase, refusal)

    ack = enter(harness, submitted(BUY, seat_values("3", product="chess")))

    ack.assert_awaited_once_with(
        response_action="errors", errors={ids.PRODUCT_BLOCK: refusal.message}
    )


def test_a_member_refused_lands_on_the_office_field(harness: Harness) -> None:
    refusal = NotAllowed("buy seats", "company admins and admins of Main")
    harness.service.refuse(Purchase, refusal)

    ack = enter(harness, submitted(BUY, seat_values("3")))

    ack.assert_awaited_once_with(
        response_action="errors", errors={ids.OFFICE_BLOCK: refusal.message}
    )


def test_too_few_free_seats_to_remove_lands_on_the_count_field(harness: Harness) -> None:
    refusal = NotEnoughUnassignedSeats(requested=3, available=1, assigned=2)
    harness.service.refuse(ScheduleRemoval, refusal)

    ack = enter(harness, submitted(SeatEntry(action="remove").dump(), seat_values("3")))

    ack.assert_awaited_once_with(
        response_action="errors", errors={ids.COUNT_BLOCK: refusal.message}
    )


@pytest.mark.parametrize(
    "metadata", ['{"action":"steal"}', "not json", "", None, '{"action":"buy","x":1}', "[]"]
)
def test_tampered_metadata_answers_out_of_date_or_damaged_and_asks_nothing(
    harness: Harness, metadata: str | None
) -> None:
    ack = enter(harness, submitted(metadata, seat_values("3")))

    assert title_and_text(shown(ack)) == DAMAGED
    assert harness.service.calls == []


def test_a_form_missing_a_field_is_damaged(harness: Harness) -> None:
    values = seat_values("3")
    del values[ids.OFFICE_BLOCK]

    assert title_and_text(shown(enter(harness, submitted(BUY, values)))) == DAMAGED
    assert harness.service.calls == []


# review → Confirm


def test_confirm_hands_the_reviewed_request_with_its_quote_under_the_view_key(
    harness: Harness,
) -> None:
    confirm(harness, Review.of(REVIEWED, QUOTE, None).dump())

    [call] = harness.service.calls
    assert call.method == "handle"
    assert call.request == REVIEWED
    assert call.shown == QUOTE
    assert call.idempotency_key == f"view:{VIEW_ID}"


def test_confirm_answers_with_done_and_asks_for_the_log_line_at_once(harness: Harness) -> None:
    ack = confirm(harness, Review.of(REVIEWED, QUOTE, None).dump())

    assert title_and_text(shown(ack)) == (
        "Done",
        "<@U1> bought 3 Talk seats in Main: 1 restored free, 19.29 USD charged",
    )
    harness.delivered.assert_called_once_with()


def test_a_changed_quote_is_reviewed_again_with_a_warning_and_nothing_is_done(
    harness: Harness,
) -> None:
    now = harness.service.clock.now()
    repriced = QUOTE.model_copy(update={"amount": QUOTE.amount + 1, "priced_at": now})
    harness.service.refuse(Purchase, QuoteChanged(repriced), on="handle")
    harness.service.answer(Purchase, repriced)

    review = shown(confirm(harness, Review.of(REVIEWED, QUOTE, None).dump()))

    [handled, quoted] = harness.service.calls
    assert (handled.method, quoted.method) == ("handle", "quote")
    assert quoted.request == PURCHASE  # priced afresh, not at the old moment
    assert review["title"]["text"] == "Review"
    assert review["blocks"][0]["text"]["text"] == f":warning: {CHANGED}"
    assert "20.29 USD" in str(review["blocks"])
    again = PURCHASE.model_copy(update={"priced_at": now})
    assert read(Review, review["private_metadata"]) == Review.of(again, repriced, None)
    harness.delivered.assert_not_called()


def test_an_expired_price_of_a_removal_is_reviewed_again(harness: Harness) -> None:
    removal = ScheduleRemoval(count=1, product="talk", office="Main")
    harness.service.refuse(ScheduleRemoval, QuoteExpired(), on="handle")

    review = shown(confirm(harness, Review.of(removal, CHANGE, None).dump()))

    assert review["callback_id"] == ids.SEATS_REVIEW
    assert review["submit"]["text"] == "Remove seats"
    assert read(Review, review["private_metadata"]) == Review.of(removal, CHANGE, None)


def test_a_change_that_can_no_longer_be_made_says_nothing_changed(harness: Harness) -> None:
    refusal = NotEnoughUnassignedSeats(requested=1, available=0, assigned=5)
    harness.service.refuse(ScheduleRemoval, QuoteChanged(None), on="handle")
    harness.service.refuse(ScheduleRemoval, refusal, on="quote")
    removal = ScheduleRemoval(count=1, product="talk", office="Main")

    ack = confirm(harness, Review.of(removal, CHANGE, None).dump())

    assert title_and_text(shown(ack)) == ("Nothing changed", refusal.message)


def test_a_review_whose_operation_was_edited_is_applied_as_nothing(harness: Harness) -> None:
    edited = json.loads(Review.of(REVIEWED, QUOTE, None).dump())
    edited["operation"] = "remove"

    ack = confirm(harness, json.dumps(edited))

    assert title_and_text(shown(ack)) == DAMAGED
    assert harness.service.calls == []


@pytest.mark.parametrize("metadata", ['{"action":"buy"}', "not json", ""])
def test_a_confirm_without_a_review_is_applied_as_nothing(harness: Harness, metadata: str) -> None:
    assert title_and_text(shown(confirm(harness, metadata))) == DAMAGED
    assert harness.service.calls == []


def test_a_refusal_on_confirm_says_nothing_changed(harness: Harness) -> None:
    refusal = NotAllowed("buy seats", "company admins and admins of Main")
    harness.service.refuse(Purchase, refusal, on="handle")

    ack = confirm(harness, Review.of(REVIEWED, QUOTE, None).dump())

    assert title_and_text(shown(ack)) == ("Nothing changed", refusal.message)
    harness.delivered.assert_not_called()


def test_a_restore_confirmed_from_a_notice_marks_the_notice_after_the_ack(
    harness: Harness,
) -> None:
    notice = posted_notice("removal_scheduled")
    harness.client.messages[NOTICE_CHANNEL] = [notice]
    ref = NoticeRef(channel=NOTICE_CHANNEL, ts=NOTICE_TS, block="restore_0")
    restore = Restore(count=1, product="talk", office="Main")
    ack = harness.client.acking()
    view = submitted(Review.of(restore, CHANGE, ref).dump(), callback_id=ids.SEATS_REVIEW)

    harness.run(
        modals(harness).confirm(ack, harness.body, harness.context, harness.client.web, view)
    )

    assert harness.client.order()[-3:] == ["ack", "conversations_history", "chat_update"]
    [update] = harness.client.made("chat_update")
    assert (update["channel"], update["ts"]) == (NOTICE_CHANNEL, NOTICE_TS)
    [marked] = [b for b in update["blocks"] if b.get("block_id") == "restore_0"]
    assert marked["type"] == "context"
    assert marked["elements"][0]["text"] == (
        ":white_check_mark: <@U1> restored 1 Talk seat in Main · Jan 31, 2026 09:00 UTC"
    )


# the buttons that open the modal


def press(harness: Harness, opening: str, body: dict[str, Any]) -> AsyncMock:
    button = SeatButton(harness.deps, SEAT_ACTIONS[opening.removeprefix("open_")])
    ack = AsyncMock()
    harness.run(button.open(ack, body, harness.context, harness.client.web))
    ack.assert_awaited_once_with()
    return ack


def test_the_buy_button_opens_the_buy_modal_with_its_preset(harness: Harness) -> None:
    preset = SeatPreset(count=1, product="talk", office="Main").dump()

    press(harness, "open_buy", click(ids.OPEN_BUY, preset))

    [opened] = harness.client.made("views_open")
    assert opened["trigger_id"] == TRIGGER
    modal = harness.client.opened()
    assert modal["title"]["text"] == "Buy seats"
    assert read(SeatEntry, modal["private_metadata"]) == SeatEntry(action="buy")
    count, product, office = (block["element"] for block in modal["blocks"])
    assert count["initial_value"] == "1"
    assert (product["initial_option"]["value"], office["initial_option"]["value"]) == (
        "talk",
        "Main",
    )
    assert harness.service.calls == []


def test_choose_how_many_on_a_notice_opens_a_restore_modal_tied_to_the_notice(
    harness: Harness,
) -> None:
    notice = posted_notice("removal_scheduled")
    [choose] = [
        e
        for b in notice["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ids.OPEN_RESTORE
    ]

    press(
        harness,
        "open_restore",
        click(ids.OPEN_RESTORE, choose["value"], "restore_0", message=notice),
    )

    modal = harness.client.opened()
    assert modal["title"]["text"] == "Restore seats"
    ref = NoticeRef(channel=NOTICE_CHANNEL, ts=NOTICE_TS, block="restore_0")
    assert read(SeatEntry, modal["private_metadata"]) == SeatEntry(action="restore", notice=ref)
    assert modal["blocks"][0]["element"]["initial_value"] == "2"


def test_the_home_tabs_remove_button_opens_an_empty_remove_modal(harness: Harness) -> None:
    harness.as_user("U1", channel_id=None)

    press(harness, "open_remove", home_click(ids.OPEN_REMOVE, NO_PRESET))

    modal = harness.client.opened()
    assert modal["title"]["text"] == "Remove seats"
    assert "initial_value" not in modal["blocks"][0]["element"]


def test_the_home_tabs_buy_button_chooses_an_office_admins_own_office(harness: Harness) -> None:
    harness.service.offices = ["Main", "Berlin"]
    harness.service.default_office = "Berlin"
    harness.as_user("U2", channel_id=None)

    press(harness, "open_buy", home_click(ids.OPEN_BUY, NO_PRESET))

    office = harness.client.opened()["blocks"][2]["element"]
    assert office["initial_option"]["value"] == "Berlin"
    assert [o["value"] for o in office["options"]] == ["Main", "Berlin"]


@pytest.mark.parametrize("value", ['{"count":"many"}', '{"action":"steal"}', "not json"])
def test_a_damaged_button_value_posts_an_ephemeral_and_opens_nothing(
    harness: Harness, value: str
) -> None:
    press(harness, "open_buy", click(ids.OPEN_BUY, value))

    assert harness.client.made("chat_postEphemeral") == [
        {"channel": "C1", "user": "U1", "text": DamagedPayload.message}
    ]
    assert harness.client.made("views_open") == []
