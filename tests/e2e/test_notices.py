"""Notices end to end: written by the sweeps, delivered by the dispatcher to the fake Web API,
and their buttons clicked through signed requests to the real app."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from commands import ids
from commands.views.notices import closed_notice, notice_message
from licensing.calendar import Interval
from licensing.requests import (
    Cancel,
    Purchase,
    ScheduleRemoval,
    SetBillingDetails,
    SetNoticeChannel,
    Subscribe,
)
from licensing.schemas import AccountKey, Actor, PoolTarget
from scheduler.delivery import Dispatcher
from scheduler.runner import OnClosed, Sweeper, SweepReport
from slack_standin.workspace import JsonDict
from tests.conftest import FakeClock
from tests.e2e.conftest import Slack
from tests.licensing.helpers import ledger_events, pool_counts

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)
CHANNEL = "C0LICENSES"
PERIOD_END = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)


class RealTime:
    """The dispatcher's clock, moved by hand so retries need no sleeping."""

    def __init__(self) -> None:
        self.current = datetime(2026, 11, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def real_time() -> RealTime:
    return RealTime()


class SettledSweeper(Sweeper):
    """Runs once the deliveries the app itself started are done, so the two never race."""

    def __init__(self, slack: Slack, dispatcher: Dispatcher) -> None:
        super().__init__(slack.scheduled, dispatcher)
        self.slack = slack

    def run_once(self, on_closed: OnClosed | None = None) -> SweepReport:
        self.slack.settle()
        return super().run_once(on_closed)


@pytest.fixture
def sweeper(slack: Slack, real_time: RealTime) -> Iterator[Sweeper]:
    dispatcher = Dispatcher(
        slack.scheduled,
        notice_message,
        lambda key: "xoxb-e2e",
        close=closed_notice,
        api_url=slack.fake.api_url,
        clock=real_time,
    )
    yield SettledSweeper(slack, dispatcher)


def subscribed(slack: Slack, seats: int = 5, channel: str | None = CHANNEL) -> None:
    slack.send.slash_command("status")  # the owner's first request opens the account
    if channel:
        slack.send.slash_command(f"channel <#{channel}|x>")
    slack.service.handle(TEAM, OLIVIA, SetBillingDetails(details="Visa ending 4242"))
    targets = [PoolTarget(product="talk", seats=seats)]
    slack.service.handle(
        TEAM,
        OLIVIA,
        Subscribe(interval=Interval.MONTH, pools=tuple(targets), start_now=True),
        "sub",
    )


def posted(slack: Slack, channel: str = CHANNEL) -> list[JsonDict]:
    """Copies of the notices in `channel` as they stand now, without the activity logs."""
    return [m for m in _notices(slack, channel) if kind_of(m) != "activity"]


def logs(slack: Slack, channel: str = CHANNEL) -> list[str]:
    """The activity log lines in `channel`."""
    return [m["text"] for m in _notices(slack, channel) if kind_of(m) == "activity"]


def _notices(slack: Slack, channel: str) -> list[JsonDict]:
    return [copy.deepcopy(m) for m in slack.fake.messages.get(channel, []) if m.get("metadata")]


def kind_of(message: JsonDict) -> str:
    return str(message["metadata"]["event_payload"]["kind"])


def text_of(message: JsonDict) -> str:
    return str(message["blocks"])


def click(slack: Slack, message: JsonDict, action_id: str, user: str = "UOWNER") -> None:
    answer = slack.send.block_action(action_id, message=message, user=user)
    assert answer.status == 200, answer.body


def test_a_month_of_notices_with_a_restore_from_the_button(
    slack: Slack, sweeper: Sweeper, clock: FakeClock, engine: Engine
) -> None:
    subscribed(slack)
    slack.service.handle(TEAM, OLIVIA, ScheduleRemoval(count=2, product="talk"), "remove")
    clock.current = PERIOD_END - timedelta(days=3, minutes=1)
    sweeper.run_once()
    assert posted(slack) == []

    clock.current = PERIOD_END - timedelta(days=3)
    sweeper.run_once()

    removal, renewal = posted(slack)
    assert removal["text"] == "2 seats are scheduled for removal on Feb 28, 2026 09:00 UTC"
    assert "*Talk* in Main: 2 of 5 seats scheduled for removal" in text_of(removal)
    buttons = [
        e["text"]["text"]
        for b in removal["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["Restore 2 seats", "Choose how many…"]
    assert renewal["text"] == "Your subscription renews on Feb 28, 2026 09:00 UTC"
    assert "3 × Talk in Main: 45.00 USD" in text_of(renewal)
    assert "*45.00 USD*" in text_of(renewal)

    click(slack, removal, ids.NOTICE_RESTORE, user="UDANA")  # a member
    [refusal] = slack.fake.wait_for("chat.postEphemeral")
    assert refusal.params["user"] == "UDANA"
    assert "You cannot restore seats" in refusal.params["text"]
    assert pool_counts(slack.service, TEAM) == (5, 2, 0)

    click(slack, removal, ids.NOTICE_RESTORE)
    click(slack, removal, ids.NOTICE_RESTORE)  # a double click
    slack.fake.wait_for("chat.update", count=2)

    assert pool_counts(slack.service, TEAM) == (5, 0, 0)
    assert ledger_events(engine).count("seats_restored") == 1
    updated = posted(slack)[0]
    assert "<@UOWNER> restored 2 Talk seats in Main · Feb 25, 2026 09:00 UTC" in text_of(updated)
    assert not [b for b in updated["blocks"] if b["type"] == "actions"]
    sweeper.run_once()
    assert logs(slack) == [
        "<@UOWNER> subscribed (monthly): 75.00 USD charged",
        "<@UOWNER> scheduled 2 Talk seats in Main for removal: they leave on Feb 28, 2026 09:00 UTC",
        "<@UOWNER> restored 2 Talk seats in Main",
    ]
    removal, renewal, corrected = posted(slack)  # each notice once, and the correction
    assert corrected["text"] == (
        "The renewal on Feb 28, 2026 09:00 UTC has changed: 75.00 USD (was 45.00 USD)"
    )
    assert "5 × Talk in Main: 75.00 USD" in text_of(corrected)

    clock.current = PERIOD_END
    sweeper.run_once()
    result = posted(slack)[-1]
    assert result["text"] == "The period ending Feb 28, 2026 09:00 UTC closed"
    assert "Charged *75.00 USD*" in text_of(result)
    assert "Feb 28, 2026 – Mar 31, 2026" in text_of(result)


def test_a_restore_after_the_period_ended_says_the_seats_are_gone(
    slack: Slack, sweeper: Sweeper, clock: FakeClock
) -> None:
    subscribed(slack)
    slack.service.handle(TEAM, OLIVIA, ScheduleRemoval(count=2, product="talk"), "remove")
    clock.current = PERIOD_END - timedelta(days=1)
    sweeper.run_once()
    removal = posted(slack)[0]
    clock.current = PERIOD_END + timedelta(hours=1)
    sweeper.run_once()

    click(slack, removal, ids.NOTICE_RESTORE)  # as shown before the notice was closed

    [refusal] = slack.fake.wait_for("chat.postEphemeral")
    assert "already left when the period ended on Feb 28, 2026" in refusal.params["text"]
    assert pool_counts(slack.service, TEAM) == (3, 0, 0)


def test_choose_how_many_restores_some_and_updates_the_notice(
    slack: Slack, sweeper: Sweeper, clock: FakeClock
) -> None:
    subscribed(slack)
    slack.service.handle(TEAM, OLIVIA, ScheduleRemoval(count=3, product="talk"), "remove")
    clock.current = PERIOD_END - timedelta(days=2)
    sweeper.run_once()
    removal = posted(slack)[0]

    click(slack, removal, ids.OPEN_RESTORE)
    entry = slack.fake.latest_view()
    assert entry["blocks"][0]["element"]["initial_value"] == "3"
    values = {
        "count": {"count_value": slack.send.number_input("1")},
        "product": {"product_value": slack.send.static_select("talk")},
        "office": {"office_value": slack.send.static_select("Main")},
    }
    review = slack.send.view_submission(entry, values=values).json()
    slack.send.view_submission({**entry, **review["view"], "id": entry["id"]})
    slack.fake.wait_for("chat.update")

    assert pool_counts(slack.service, TEAM) == (5, 2, 0)
    updated = posted(slack)[0]
    assert "<@UOWNER> restored 1 Talk seat in Main" in text_of(updated)
    buttons = [
        e["text"]["text"]
        for b in updated["blocks"]
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]
    assert "Restore 2 seats" in buttons and "Choose how many…" in buttons

    click(slack, updated, ids.NOTICE_RESTORE)  # the rest, from the button kept for them
    slack.fake.wait_for("chat.update", count=2)
    assert pool_counts(slack.service, TEAM) == (5, 0, 0)
    finished = posted(slack)[0]
    assert not [b for b in finished["blocks"] if b["type"] == "actions"]


def test_a_cancellation_notice_reactivates_from_its_button(
    slack: Slack, sweeper: Sweeper, clock: FakeClock, engine: Engine
) -> None:
    subscribed(slack)
    slack.service.handle(TEAM, OLIVIA, Cancel(), "cancel")
    clock.current = PERIOD_END - timedelta(days=3)
    sweeper.run_once()
    [notice] = posted(slack)
    assert notice["text"] == "Your subscription ends on Feb 28, 2026 09:00 UTC"
    assert "the office Main; 5 seats (0 assigned); 1 admin role" in text_of(notice)

    click(slack, notice, ids.NOTICE_REACTIVATE, user="UERIK")  # not an admin
    click(slack, notice, ids.NOTICE_REACTIVATE)
    slack.fake.wait_for("chat.update")

    assert slack.service.status(TEAM, OLIVIA).subscription.status == "active"
    assert ledger_events(engine).count("reactivated") == 1
    assert "<@UOWNER> reactivated the subscription" in text_of(posted(slack)[0])
    sweeper.run_once()  # the reactivation wrote the renewal reminder, now due
    assert posted(slack)[-1]["text"] == "Your subscription renews on Feb 28, 2026 09:00 UTC"


def test_a_cancellation_notice_loses_its_reactivate_button_when_the_subscription_ends(
    slack: Slack, sweeper: Sweeper, clock: FakeClock
) -> None:
    subscribed(slack)
    slack.service.handle(TEAM, OLIVIA, Cancel(), "cancel")
    clock.current = PERIOD_END - timedelta(days=3)
    sweeper.run_once()
    [notice] = posted(slack)
    assert buttons_of(notice) == ["Reactivate"]

    clock.current = PERIOD_END
    sweeper.run_once()
    sweeper.run_once()  # nothing more to do

    closed, result = posted(slack)
    assert closed["ts"] == notice["ts"]
    assert buttons_of(closed) == []
    assert closed["blocks"][:-1] == notice["blocks"][:-1]
    assert closed["blocks"][-1]["elements"][0]["text"] == (
        ":lock: The subscription ended on Feb 28, 2026 09:00 UTC. "
        "A company admin can start a new one with `/license subscription subscribe`."
    )
    assert result["text"] == "Your subscription ended on Feb 28, 2026 09:00 UTC"
    [update] = slack.fake.calls("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (CHANNEL, notice["ts"])


def buttons_of(message: JsonDict) -> list[str]:
    return [
        e["text"]["text"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_a_trial_without_a_channel_is_told_by_dm_and_ends_unconverted(
    slack: Slack, sweeper: Sweeper, clock: FakeClock
) -> None:
    slack.send.slash_command("buy 2 talk")  # opens the account and a modal
    clock.current = datetime(2026, 2, 11, 9, 0, tzinfo=UTC)
    sweeper.run_once()
    [ending] = posted(slack, "DUOWNER")
    assert ending["text"] == "Your free trial ends on Feb 14, 2026 09:00 UTC"
    click(slack, ending, ids.NOTICE_SUBSCRIBE)  # no billing details yet: said at once
    [refusal] = slack.fake.wait_for("chat.postEphemeral")
    assert "Add billing details before subscribing" in refusal.params["text"]
    slack.send.slash_command("subscription billing Visa ending 4242")
    click(slack, ending, ids.NOTICE_SUBSCRIBE)
    assert slack.fake.latest_view()["callback_id"] == ids.SUBSCRIPTION_ENTRY

    clock.current = datetime(2026, 2, 14, 9, 0, tzinfo=UTC)
    sweeper.run_once()
    assert posted(slack, "DUOWNER")[-1]["text"] == "Your free trial ended on Feb 14, 2026 09:00 UTC"


def test_two_missed_period_ends_are_told_in_order(
    slack: Slack, sweeper: Sweeper, clock: FakeClock
) -> None:
    subscribed(slack, seats=2)
    clock.current = datetime(2026, 4, 1, tzinfo=UTC)  # down across Feb 28 and Mar 31

    sweeper.run_once()

    assert [m["text"] for m in posted(slack)] == [
        "The period ending Feb 28, 2026 09:00 UTC closed",
        "The period ending Mar 31, 2026 09:00 UTC closed",
    ]


def deliver_until_done(sweeper: Sweeper, real_time: RealTime, rounds: int = 30) -> None:
    for _ in range(rounds):
        sweeper.run_once()
        real_time.current += timedelta(minutes=20)


def test_rate_limits_and_server_errors_still_deliver_each_notice_once(
    slack: Slack, sweeper: Sweeper, clock: FakeClock, real_time: RealTime
) -> None:
    subscribed(slack)
    slack.service.handle(TEAM, OLIVIA, ScheduleRemoval(count=1, product="talk"), "remove")
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    slack.fake.fail_next("chat.postMessage", status=500, times=2)
    slack.fake.fail_next("chat.postMessage", status=500, applied=True)  # posted, answer lost
    slack.fake.fail_next("chat.postMessage", status=503, times=2)
    clock.current = PERIOD_END - timedelta(days=3)

    deliver_until_done(sweeper, real_time)

    messages = _notices(slack, CHANNEL)
    assert sorted(kind_of(m) for m in messages) == [
        "activity",  # subscribed
        "activity",  # removal scheduled
        "removal_scheduled",
        "renewal_coming",
    ]
    assert "1 seat is scheduled for removal on Feb 28, 2026 09:00 UTC" in {
        m["text"] for m in posted(slack)
    }
    assert len(slack.fake.calls("chat.postMessage")) == 4 + 6 - 1  # the lost answer was found


def test_an_archived_channel_is_audited_and_notices_go_to_admins_by_dm(
    slack: Slack, sweeper: Sweeper, clock: FakeClock
) -> None:
    subscribed(slack, channel=None)
    # set while it was in use; archived since
    slack.service.handle(TEAM, OLIVIA, SetNoticeChannel(channel_id="C0ARCHIVED"))
    slack.service.handle(TEAM, OLIVIA, Purchase(count=1, product="talk"), "log me")
    clock.current = PERIOD_END - timedelta(days=3)

    report = sweeper.run_once()

    assert report.delivered.failed == 2  # the subscription's log line and the renewal
    [dm] = posted(slack, "DUOWNER")
    assert dm["text"] == "Your subscription renews on Feb 28, 2026 09:00 UTC"
    audit = slack.send.slash_command("audit").json()["text"]
    assert "licensebot could not deliver a notice: activity to C0ARCHIVED: is archived" in audit
    assert "licensebot stopped posting to the notice channel: C0ARCHIVED cannot be" in audit
    assert logs(slack, "DUOWNER") == []  # activity logs are for the channel only


def test_a_notice_channel_that_is_archived_or_without_licensebot_is_refused_when_set(
    slack: Slack,
) -> None:
    subscribed(slack, channel=None)
    archived = slack.send.slash_command("channel <#C0ARCHIVED|old-stuff>").json()
    assert archived["text"] == "<#C0ARCHIVED> is archived. Pick a channel that is in use."
    general = slack.fake.workspace.channel("C0GENERAL")
    assert general is not None
    general.is_member = False
    outside = slack.send.slash_command("channel <#C0GENERAL|general>").json()
    assert "licensebot is not in <#C0GENERAL>. Invite it there first" in outside["text"]
    assert slack.service.status(TEAM, OLIVIA).notice_channel is None


def test_admins_choose_how_early_reminders_go_out(
    slack: Slack, sweeper: Sweeper, clock: FakeClock
) -> None:
    subscribed(slack)
    shown = slack.send.slash_command("reminders").json()["text"]
    assert shown.startswith(f"Reminders go out 3 days before each period ends, to <#{CHANNEL}>")
    assert "1 to 30" in slack.send.slash_command("reminders 31", user="UOWNER").json()["text"]
    refused = slack.send.slash_command("reminders 7", user="UDANA").json()["text"]
    assert "You cannot change when reminders go out" in refused

    assert "go out 7 days" in slack.send.slash_command("reminders 7").json()["text"]
    clock.current = PERIOD_END - timedelta(days=7)
    sweeper.run_once()
    assert [m["text"] for m in posted(slack)] == [
        "Your subscription renews on Feb 28, 2026 09:00 UTC"
    ]


def test_a_rate_limited_look_back_keeps_its_doubt_and_posts_nothing_twice(
    slack: Slack, sweeper: Sweeper, real_time: RealTime
) -> None:
    slack.fake.fail_next("chat.postMessage", status=500, applied=True)  # posted, answer lost
    slack.fake.fail_next("conversations.history", status=429, retry_after=1)
    slack.fake.fail_next("conversations.history", status=502)
    subscribed(slack)  # its log line is the one delivery

    deliver_until_done(sweeper, real_time)

    assert logs(slack) == ["<@UOWNER> subscribed (monthly): 75.00 USD charged"]
    assert len(slack.fake.calls("chat.postMessage")) == 1
    assert len(slack.fake.calls("conversations.history")) == 3
