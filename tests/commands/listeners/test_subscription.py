"""The subscription modals: subscribe (enter → review → Confirm), cancel and reactivate."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY, AsyncMock

import pytest

from commands import ids
from commands.carried import DamagedPayload, PoolField, Review, SubscribeEntry, read
from commands.confirm import ConfirmFlow
from commands.listeners.subscription import SubscriptionModals
from licensing.calendar import Interval
from licensing.catalog import load_catalog
from licensing.errors import BillingDetailsMissing, NotAllowed, QuoteChanged, SeatsBelowAssigned
from licensing.requests import Cancel, Reactivate, Subscribe
from licensing.schemas import PoolTarget
from tests.commands.listeners.fakes import ADMIN, MEMBER, Harness, acked, as_dict
from tests.commands.listeners.payloads import TRIGGER, VIEW_ID, submitted, subscribe_values
from tests.commands.views.samples import CANCELING, REACTIVATED, SUBSCRIBE

TWO_POOLS = SubscribeEntry(
    pools=(PoolField(office="Main", product="talk"), PoolField(office="Berlin", product="talk"))
).dump()
SUBSCRIBE_REQUEST = Subscribe(
    interval=Interval.YEAR,
    pools=(
        PoolTarget(product="talk", office="Main", seats=3),
        PoolTarget(product="talk", office="Berlin", seats=0),
    ),
    start_now=True,
)


def modals(harness: Harness) -> SubscriptionModals:
    return SubscriptionModals(harness.deps, ConfirmFlow(harness.deps))


def enter(harness: Harness, view: dict[str, Any]) -> AsyncMock:
    ack = AsyncMock()
    harness.run(modals(harness).entry(ack, harness.body, harness.context, harness.client.web, view))
    return ack


def open_modal(harness: Harness, action: str, interval: str | None = None) -> None:
    key, actor = harness.run(
        harness.deps.requester(harness.context, harness.client.web, harness.body)
    )
    harness.run(modals(harness).open(action, interval, key, actor, TRIGGER, harness.client.web))


def shown(ack: AsyncMock) -> dict[str, Any]:
    ack.assert_awaited_once_with(response_action="update", view=ANY)
    return as_dict(acked(ack)["view"])


def test_entry_reads_each_pools_seats_by_its_index_in_the_metadata(harness: Harness) -> None:
    ack = enter(harness, submitted(TWO_POOLS, subscribe_values("year", "3", "0")))

    assert [c.request for c in harness.service.quoted()] == [SUBSCRIBE_REQUEST]
    review = shown(ack)
    assert review["callback_id"] == ids.SUBSCRIPTION_REVIEW
    assert read(Review, review["private_metadata"]) == Review.of(SUBSCRIBE_REQUEST, SUBSCRIBE, None)


def test_a_pool_count_that_is_not_a_number_is_refused_on_that_pools_field(
    harness: Harness,
) -> None:
    ack = enter(harness, submitted(TWO_POOLS, subscribe_values("month", "3", "lots")))

    ack.assert_awaited_once_with(
        response_action="errors",
        errors={ids.pool_seats_block(1): "Enter a whole number of seats, 0 or more."},
    )
    assert harness.service.calls == []


def test_keeping_fewer_seats_than_assigned_lands_on_that_pools_field(harness: Harness) -> None:
    talk = load_catalog().get("talk")
    assert talk is not None
    refusal = SeatsBelowAssigned("Berlin", talk, requested=0, assigned=2)
    harness.service.refuse(Subscribe, refusal)

    ack = enter(harness, submitted(TWO_POOLS, subscribe_values("year", "3", "0")))

    ack.assert_awaited_once_with(
        response_action="errors", errors={ids.pool_seats_block(1): refusal.message}
    )


def test_other_refusals_land_on_the_billing_field(harness: Harness) -> None:
    harness.service.refuse(Subscribe, BillingDetailsMissing())

    ack = enter(harness, submitted(TWO_POOLS, subscribe_values("year", "3", "0")))

    ack.assert_awaited_once_with(
        response_action="errors", errors={ids.INTERVAL_BLOCK: BillingDetailsMissing().message}
    )


@pytest.mark.parametrize("metadata", ['{"pools":[{"office":"Main"}]}', "not json", '{"x":1}'])
def test_damaged_metadata_answers_out_of_date_and_asks_nothing(
    harness: Harness, metadata: str
) -> None:
    view = shown(enter(harness, submitted(metadata, subscribe_values("year", "3"))))

    assert view["blocks"][0]["text"]["text"] == DamagedPayload.message
    assert harness.service.calls == []


def test_opening_cancel_quotes_it_and_opens_its_review(harness: Harness) -> None:
    open_modal(harness, "cancel")

    [call] = harness.service.quoted()
    assert call.request == Cancel()
    [opened] = harness.client.made("views_open")
    assert opened["trigger_id"] == TRIGGER
    modal = as_dict(opened["view"])
    assert modal["submit"]["text"] == "Cancel subscription"
    assert read(Review, modal["private_metadata"]) == Review.of(Cancel(), CANCELING, None)


def test_opening_reactivate_quotes_it_and_opens_its_review(harness: Harness) -> None:
    open_modal(harness, "reactivate")

    assert [c.request for c in harness.service.quoted()] == [Reactivate()]
    modal = harness.client.opened()
    assert modal["submit"]["text"] == "Reactivate"
    assert read(Review, modal["private_metadata"]) == Review.of(Reactivate(), REACTIVATED, None)


def test_an_admin_opening_subscribe_gets_a_seats_field_for_each_pool(harness: Harness) -> None:
    open_modal(harness, "subscribe", "year")

    modal = harness.client.opened()
    assert modal["callback_id"] == ids.SUBSCRIPTION_ENTRY
    entry = read(SubscribeEntry, modal["private_metadata"])
    assert entry.pools == (PoolField(office="Main", product="talk"),)
    interval, seats = modal["blocks"]
    assert interval["element"]["initial_option"]["value"] == "year"
    assert (seats["block_id"], seats["element"]["initial_value"]) == (ids.pool_seats_block(0), "5")
    assert harness.service.calls == []


def test_a_member_opening_subscribe_is_not_allowed(harness: Harness) -> None:
    harness.service.refuse(Subscribe, NotAllowed("subscribe", "company admins"), on="start")
    harness.as_user(MEMBER)

    with pytest.raises(NotAllowed, match="only company admins can"):
        open_modal(harness, "subscribe")
    assert harness.client.made("views_open") == []


def test_confirm_subscribes_as_reviewed_under_the_view_key(harness: Harness) -> None:
    view = submitted(
        Review.of(SUBSCRIBE_REQUEST, SUBSCRIBE, None).dump(), callback_id=ids.SUBSCRIPTION_REVIEW
    )
    ack = AsyncMock()

    harness.run(
        modals(harness).confirm(ack, harness.body, harness.context, harness.client.web, view)
    )

    [call] = harness.service.calls
    assert (call.method, call.request, call.shown) == ("handle", SUBSCRIBE_REQUEST, SUBSCRIBE)
    assert call.idempotency_key == f"view:{VIEW_ID}"
    done = shown(ack)
    assert done["title"]["text"] == "Done"
    assert (
        done["blocks"][0]["text"]["text"] == f"<@{ADMIN}> subscribed (monthly): 45.00 USD charged"
    )
    harness.delivered.assert_called_once_with()


def test_a_changed_cancellation_is_reviewed_again_as_a_cancellation(harness: Harness) -> None:
    harness.service.refuse(Cancel, QuoteChanged(CANCELING), on="handle")
    view = submitted(
        Review.of(Cancel(), CANCELING, None).dump(), callback_id=ids.SUBSCRIPTION_REVIEW
    )
    ack = AsyncMock()

    harness.run(
        modals(harness).confirm(ack, harness.body, harness.context, harness.client.web, view)
    )

    review = shown(ack)
    assert review["callback_id"] == ids.SUBSCRIPTION_REVIEW
    assert review["submit"]["text"] == "Cancel subscription"
    assert review["blocks"][0]["text"]["text"].startswith(":warning:")
    harness.delivered.assert_not_called()
