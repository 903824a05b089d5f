"""The money-moving modals end to end, with the amounts an admin reviews."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licensing.calendar import Interval
from licensing.requests import (
    AddOffice,
    Assign,
    Cancel,
    Purchase,
    Restore,
    ScheduleRemoval,
    SetBillingDetails,
    Subscribe,
)
from licensing.schemas import AccountKey, Actor, PoolTarget
from slack_standin.requester import SlackRequester
from tests.conftest import FakeClock
from tests.e2e.conftest import Slack

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


def _subscribed(slack: Slack, seats: int) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, SetBillingDetails(details="Visa ending 4242"))
    targets = [PoolTarget(product="talk", seats=seats)]
    slack.service.handle(
        TEAM,
        OLIVIA,
        Subscribe(interval=Interval.MONTH, pools=tuple(targets), start_now=True),
        "sub",
    )


def _values(send: SlackRequester, count: str, product: str = "talk") -> dict[str, Any]:
    return {
        "count": {"count_value": send.number_input(count)},
        "product": {"product_value": send.static_select(product)},
        "office": {"office_value": send.static_select("Main")},
    }


def _review(slack: Slack, text: str, count: str) -> tuple[dict[str, Any], dict[str, Any]]:
    slack.send.slash_command(text)
    entry = slack.fake.latest_view()
    answer = slack.send.view_submission(entry, values=_values(slack.send, count)).json()
    assert answer["response_action"] == "update", answer
    return entry, {**entry, **answer["view"], "id": entry["id"]}


def test_the_review_shows_the_prorated_charge_and_confirm_charges_it_once(
    slack: Slack, clock: FakeClock
) -> None:
    _subscribed(slack, seats=3)
    slack.send.slash_command("channel <#C0LICENSES|licenses>")
    clock.advance(days=10)  # 18 of the period's 28 days are left

    _, review = _review(slack, "buy 2 talk", "2")
    shown = str(review["blocks"])
    assert "2 new seats charged *19.29 USD* now" in shown
    assert "Pool after: 5 purchased · 0 assigned · 5 available" in shown
    assert "Next invoice estimate: *75.00 USD*" in shown

    clock.advance(minutes=2)
    done = slack.send.view_submission(review).json()
    assert "<@UOWNER> bought 2 Talk seats in Main: 19.29 USD charged" in str(done["view"])
    slack.send.view_submission(review)  # replayed
    [log] = slack.fake.wait_for("chat.postMessage")
    assert log.params["channel"] == "C0LICENSES"
    assert log.params["text"] == "<@UOWNER> bought 2 Talk seats in Main: 19.29 USD charged"
    invoices = slack.service.invoices(TEAM, OLIVIA).invoices
    assert [i.total for i in invoices if i.kind == "purchase"] == [Decimal("19.29")]


def test_removing_then_restoring_through_the_modals(slack: Slack) -> None:
    _subscribed(slack, seats=4)
    _, review = _review(slack, "remove 3 talk", "3")
    assert review["blocks"][0]["text"]["text"] == (
        "*Remove 3 Talk seats from Main*\n"
        "• only unassigned seats are removed, so nobody loses a seat\n"
        "• from now on they cannot be assigned; they stay paid until Feb 28, 2026 09:00 UTC, "
        "then leave; no refund\n"
        "• until then you can restore them, free"
    )
    slack.send.view_submission(review)
    _, review = _review(slack, "restore 2 talk", "2")
    assert "restoring is free" in str(review["blocks"])
    slack.send.view_submission(review)
    [account] = slack.service.export()
    pool = account.offices[0].pools[0]
    assert (pool.purchased, pool.scheduled_for_removal) == (4, 1)


def test_seats_removed_on_the_trial_are_said_to_have_left_at_once(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, Purchase(count=3, product="talk"), "buy")
    _, review = _review(slack, "remove 2 talk", "2")
    assert review["blocks"][0]["text"]["text"] == (
        "*Remove 2 Talk seats from Main*\n• free trial: they leave at once"
    )
    done = slack.send.view_submission(review).json()
    assert done["view"]["blocks"][0]["text"]["text"] == (
        "<@UOWNER> removed 2 Talk seats from Main (free trial: they left at once)"
    )


def test_a_member_confirming_a_review_is_refused(slack: Slack) -> None:
    _subscribed(slack, seats=1)
    _, review = _review(slack, "buy 1 talk", "1")
    answer = slack.send.view_submission(review, user="UDANA").json()
    assert "You cannot buy seats" in str(answer["view"])
    [account] = slack.service.export()
    assert account.offices[0].pools[0].purchased == 1


def test_the_buy_button_of_a_refused_assignment_opens_the_buy_modal(slack: Slack) -> None:
    _subscribed(slack, seats=1)
    slack.send.slash_command("assign <@UDANA> talk")
    refusal = slack.send.slash_command("assign <@UERIK> talk").json()
    slack.send.block_action("open_buy", message=refusal)
    entry = slack.fake.latest_view()
    assert entry["callback_id"] == "seats_entry"
    count = entry["blocks"][0]["element"]["initial_value"]
    assert count == "1"


def test_a_bad_count_is_shown_on_the_field(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.send.slash_command("buy talk")
    entry = slack.fake.latest_view()
    answer = slack.send.view_submission(entry, values=_values(slack.send, "-4")).json()
    assert answer == {
        "response_action": "errors",
        "errors": {"count": "Enter a whole number of seats, e.g. 3."},
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=120),
        st.builds(
            lambda n, w: f"buy {n} {w}", st.integers(-(10**30), 10**30), st.text(max_size=20)
        ),
        st.sampled_from(
            ["assign <@U1> talk'; DROP TABLE pools;--", "remove 1e999", "restore ０ talk"]
        ),
    )
)
def test_any_command_text_gets_an_answer_never_a_server_error(slack: Slack, text: str) -> None:
    slack.send.slash_command("status")  # the account exists, so the text itself is parsed
    opened = len(slack.fake.calls("views.open"))
    answer = slack.send.slash_command(text)
    assert answer.status == 200
    reply = answer.json()
    assert (reply and reply.get("text")) or len(slack.fake.calls("views.open")) == opened + 1


def test_the_home_tab_shows_the_pools_and_opens_the_modals(slack: Slack) -> None:
    _subscribed(slack, seats=3)
    answer = slack.send.event(
        {"type": "app_home_opened", "user": "UOWNER", "tab": "home", "channel": "D0UOWNER"}
    )
    assert answer.status == 200
    [publish] = slack.fake.wait_for("views.publish")
    home = publish.params["view"]
    assert "3 purchased · 0 assigned · 3 available" in str(home["blocks"])
    assert "Next invoice estimate: *45.00 USD*" in str(home["blocks"])
    slack.send.block_action("open_remove", view=home)
    assert slack.fake.latest_view()["title"]["text"] == "Remove seats"


def test_a_member_home_tab_shows_only_their_seats(slack: Slack) -> None:
    _subscribed(slack, seats=1)
    slack.service.handle(TEAM, OLIVIA, Assign(user_id="UDANA", product="talk"))
    slack.send.event(
        {"type": "app_home_opened", "user": "UDANA", "tab": "home", "channel": "D0UDANA"}
    )
    [publish] = slack.fake.wait_for("views.publish")
    blocks = str(publish.params["view"]["blocks"])
    assert "Your seats: Talk (Main)" in blocks and "Buy seats" not in blocks


def _edited(review: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    metadata = json.loads(review["private_metadata"])
    edit(metadata)
    return {**review, "private_metadata": json.dumps(metadata)}


def _set_request(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda metadata: metadata["request"].update({field: value})


@pytest.mark.parametrize(
    "edit",
    [
        _set_request("count", 5),
        _set_request("product", "recording"),
        lambda metadata: metadata.update(operation="remove"),
        lambda metadata: metadata["shown"].update(amount="0.01"),
    ],
    ids=["count", "product", "action", "amount shown"],
)
def test_a_confirm_whose_metadata_was_edited_charges_nothing_that_was_not_shown(
    slack: Slack, clock: FakeClock, edit: Callable[[dict[str, Any]], None]
) -> None:
    _subscribed(slack, seats=3)
    clock.advance(days=10)
    _, review = _review(slack, "buy 2 talk", "2")

    answer = slack.send.view_submission(_edited(review, edit)).json()

    assert "Done" not in str(answer["view"]["title"])
    assert [i.kind for i in slack.service.invoices(TEAM, OLIVIA).invoices] == ["subscription"]
    [pool] = slack.service.status(TEAM, OLIVIA).pools
    assert (pool.product_id, pool.seats.purchased, pool.seats.scheduled_for_removal) == (
        "talk",
        3,
        0,
    )


def test_a_confirm_after_the_account_changed_shows_the_new_review_instead(
    slack: Slack, clock: FakeClock
) -> None:
    _subscribed(slack, seats=3)
    slack.service.handle(TEAM, OLIVIA, ScheduleRemoval(count=1, product="talk"), "remove")
    _, review = _review(slack, "buy 2 talk", "2")  # restores the scheduled seat, charges 1
    slack.service.handle(TEAM, OLIVIA, Restore(count=1, product="talk"), "restore")

    again = slack.send.view_submission(review).json()

    shown = str(again["view"]["blocks"])
    assert again["response_action"] == "update"
    assert "The figures changed since you reviewed them" in shown
    assert "2 new seats charged" in shown
    assert [i.kind for i in slack.service.invoices(TEAM, OLIVIA).invoices] == ["subscription"]
    done = slack.send.view_submission({**review, **again["view"], "id": review["id"]}).json()
    assert "<@UOWNER> bought 2 Talk seats in Main" in str(done["view"])


def test_an_office_whose_name_holds_a_bar_keeps_its_own_pool(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, AddOffice(name="Sales|talk"))
    slack.service.handle(TEAM, OLIVIA, Purchase(count=2, product="talk", office="Sales|talk"), "t")
    slack.service.handle(TEAM, OLIVIA, Purchase(count=1, product="talk"), "main")
    slack.send.slash_command("subscription billing Visa ending 4242")
    slack.send.slash_command("subscription subscribe")
    entry = slack.fake.latest_view()
    pools = json.loads(entry["private_metadata"])["pools"]
    sales = pools.index({"office": "Sales|talk", "product": "talk"})
    assert all("Sales" not in block.get("block_id", "") for block in entry["blocks"])
    values = {"interval": {"interval_value": slack.send.static_select("month")}}
    for index in range(len(pools)):
        seats = "3" if index == sales else "1"
        values[f"pool_seats_{index}"] = {"count_value": slack.send.number_input(seats)}
    review = slack.send.view_submission(entry, values=values).json()
    slack.send.view_submission({**entry, **review["view"], "id": entry["id"]})

    seats = {p.office: p.seats.purchased for p in slack.service.status(TEAM, OLIVIA).pools}
    assert seats == {"Main": 1, "Sales|talk": 3}


def test_what_can_be_refused_before_a_form_opens_is_refused_at_once(slack: Slack) -> None:
    slack.send.slash_command("status")  # opens the account, on its trial
    subscribe = slack.send.slash_command("subscription subscribe").json()
    assert "Add billing details before subscribing" in subscribe["text"]
    member = slack.send.slash_command("buy 3 talk", user="UDANA").json()
    assert "You cannot buy seats: only company admins and office admins can" in member["text"]
    _subscribed(slack, seats=3)
    slack.service.handle(TEAM, OLIVIA, Cancel(), "cancel")
    canceling = slack.send.slash_command("buy 1 talk").json()
    assert "You cannot buy seats now: the subscription ends" in canceling["text"]
    assert slack.fake.calls("views.open") == []


def test_buy_one_seat_after_a_refused_assignment_also_assigns_it(
    slack: Slack, clock: FakeClock
) -> None:
    _subscribed(slack, seats=1)
    slack.service.handle(TEAM, OLIVIA, Assign(user_id="UDANA", product="talk"))
    clock.advance(days=10, hours=6)
    refused = slack.send.slash_command("assign <@UERIK|erik> talk").json()
    slack.send.block_action("open_buy", message=refused)
    entry = slack.fake.latest_view()
    answer = slack.send.view_submission(entry, values=_values(slack.send, "1")).json()
    shown = str(answer["view"]["blocks"])
    assert "then <@UERIK> is assigned one of them" in shown
    assert "(17 days 18 hours of 28 days)" in shown

    done = slack.send.view_submission({**entry, **answer["view"], "id": entry["id"]}).json()

    assert "<@UERIK> now holds one" in str(done["view"])
    [pool] = slack.service.status(TEAM, OLIVIA).pools
    assert (pool.seats.purchased, pool.seats.assigned) == (2, 2)
