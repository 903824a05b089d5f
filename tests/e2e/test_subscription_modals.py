"""Subscribing, canceling and reactivating through the modals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from licensing.calendar import Interval
from licensing.requests import Assign, Cancel, Purchase, Subscribe
from licensing.schemas import AccountKey, Actor
from tests.conftest import FakeClock
from tests.e2e.conftest import Slack

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


def _trial_with_seats(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, Purchase(count=5, product="talk"), "trial")
    slack.service.handle(TEAM, OLIVIA, Assign(user_id="UDANA", product="talk"))
    slack.send.slash_command("subscription billing Visa ending 4242")


def test_subscribing_reviews_the_first_invoice_and_charges_it_once(slack: Slack) -> None:
    _trial_with_seats(slack)
    slack.send.slash_command("subscription subscribe")
    entry = slack.fake.latest_view()
    assert entry["blocks"][2]["element"]["initial_value"] == "5"
    send = slack.send
    values = {
        "interval": {"interval_value": send.static_select("month")},
        "start": {"start_value": send.static_select("now")},
        "pool_seats_0": {"count_value": send.number_input("3")},
    }
    review = send.view_submission(entry, values=values).json()
    shown = str(review["view"]["blocks"])
    assert "3 × Talk in Main: 45.00 USD" in shown
    assert "*45.00 USD* charged now, in advance" in shown
    assert "This gives up the 14 days left of the free trial." in shown

    confirm = {**entry, **review["view"], "id": entry["id"]}
    done = send.view_submission(confirm).json()
    assert "<@UOWNER> subscribed (monthly): 45.00 USD charged" in str(done["view"])
    send.view_submission(confirm)
    invoices = slack.service.invoices(TEAM, OLIVIA).invoices
    assert [(i.kind, i.total) for i in invoices] == [("subscription", Decimal("45.00"))]


def test_keeping_fewer_seats_than_assigned_is_shown_on_the_form(slack: Slack) -> None:
    _trial_with_seats(slack)
    slack.service.handle(TEAM, OLIVIA, Assign(user_id="UERIK", product="talk"))
    slack.send.slash_command("subscription subscribe")
    entry = slack.fake.latest_view()
    values = {
        "interval": {"interval_value": slack.send.static_select("year")},
        "pool_seats_0": {"count_value": slack.send.number_input("1")},
    }
    answer = slack.send.view_submission(entry, values=values).json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "pool_seats_0": "Main has 2 Talk seats assigned, so it cannot keep only 1. "
        "Revoke users first, or keep at least 2."
    }


def test_cancel_then_reactivate(slack: Slack, clock: FakeClock) -> None:
    _trial_with_seats(slack)
    slack.send.slash_command("subscription subscribe")
    entry = slack.fake.latest_view()
    values = {
        "interval": {"interval_value": slack.send.static_select("month")},
        "pool_seats_0": {"count_value": slack.send.number_input("2")},
    }
    review = slack.send.view_submission(entry, values=values).json()["view"]
    slack.send.view_submission({**entry, **review, "id": entry["id"]})

    slack.send.slash_command("subscription cancel")
    cancel = slack.fake.latest_view()
    assert "Cancel the subscription on Feb 28, 2026 09:00 UTC" in str(cancel["blocks"])
    done = slack.send.view_submission(cancel).json()
    assert "it ends on Feb 28, 2026 09:00 UTC" in str(done["view"])
    assert slack.service.status(TEAM, OLIVIA).subscription.status == "canceling"

    slack.send.slash_command("subscription reactivate")
    slack.send.view_submission(slack.fake.latest_view())
    assert slack.service.status(TEAM, OLIVIA).subscription.status == "active"


def test_after_a_cancellation_ends_the_account_says_how_to_start_again(
    slack: Slack, clock: FakeClock
) -> None:
    _trial_with_seats(slack)
    slack.service.handle(
        TEAM, OLIVIA, Subscribe(interval=Interval.MONTH, start_now=True), "subscribe"
    )
    slack.service.handle(TEAM, OLIVIA, Cancel(), "cancel")
    clock.advance(days=29)

    status = slack.send.slash_command("status").json()
    assert "The subscription has ended." in str(status["blocks"])
    reactivate = slack.send.slash_command("subscription reactivate").json()
    assert (
        "a company admin can start a new one with `/license subscription subscribe`"
        in (reactivate["text"])
    )
    slack.send.slash_command("subscription billing Visa ending 4242")
    slack.send.slash_command("subscription subscribe")
    assert slack.fake.latest_view()["callback_id"] == "subscription_entry"


def test_switching_to_annual_billing_is_said_and_shown_until_the_period_ends(
    slack: Slack,
) -> None:
    _trial_with_seats(slack)
    slack.service.handle(
        TEAM, OLIVIA, Subscribe(interval=Interval.MONTH, start_now=True), "subscribe"
    )

    answer = slack.send.slash_command("subscription interval annual").json()

    assert answer["text"] == (
        "From the next period, which starts on Feb 28, 2026 09:00 UTC, the subscription is "
        "billed yearly: 750.00 USD in advance for the seats held now. Nothing is charged now."
    )
    status = str(slack.send.slash_command("status").json()["blocks"])
    assert "monthly; yearly from the next period" in status
    wrong = slack.send.slash_command("subscription interval weekly").json()
    assert "`/license subscription interval annual`" in wrong["text"]


def test_subscribing_during_the_trial_keeps_it_and_charges_when_it_ends(
    slack: Slack, clock: FakeClock
) -> None:
    _trial_with_seats(slack)
    clock.advance(days=4)
    slack.send.slash_command("subscription subscribe")
    entry = slack.fake.latest_view()
    start = entry["blocks"][1]["element"]
    assert start["initial_option"]["value"] == "trial_end"
    values = {
        "interval": {"interval_value": slack.send.static_select("month")},
        "start": {"start_value": slack.send.static_select("trial_end")},
        "pool_seats_0": {"count_value": slack.send.number_input("3")},
    }
    review = slack.send.view_submission(entry, values=values).json()
    shown = str(review["view"]["blocks"])
    assert "Your free trial goes on until Feb 14, 2026 09:00 UTC" in shown
    assert "*45.00 USD* for these seats" in shown and "Nothing is charged now" in shown

    done = slack.send.view_submission({**entry, **review["view"], "id": entry["id"]}).json()
    assert "the first period starts when the free trial ends, on Feb 14, 2026 09:00 UTC" in str(
        done["view"]
    )
    assert slack.service.invoices(TEAM, OLIVIA).invoices == []
    slack.service.handle(TEAM, OLIVIA, Purchase(count=1, product="talk"), "free")  # still free
    assert slack.service.invoices(TEAM, OLIVIA).invoices == []

    clock.advance(days=10, seconds=1)
    status = slack.service.status(TEAM, OLIVIA).subscription
    assert (status.status, status.period_start) == ("active", clock.now() - timedelta(seconds=1))
    [first] = slack.service.invoices(TEAM, OLIVIA).invoices
    assert (first.kind, first.total) == ("subscription", Decimal("60.00"))  # the 4 seats held


def test_members_cannot_open_the_subscription_modals(slack: Slack) -> None:
    _trial_with_seats(slack)
    answer = slack.send.slash_command("subscription cancel", user="UDANA").json()
    assert "You cannot cancel the subscription: only company admins can" in answer["text"]
