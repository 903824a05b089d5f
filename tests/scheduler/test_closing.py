"""The dispatcher closes posted notices against a stand-in Slack: once the period its buttons
acted on has closed, each message is edited once, through 429s and lost answers, in the order
of the posts to its place; a message deleted meanwhile is left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from commands import ids
from commands.views.notices import closed_notice, notice_message
from licensing.model import RoleName
from licensing.requests import Cancel, GrantRole, SetNoticeChannel
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from scheduler.delivery import Dispatcher
from slack_standin.server import FakeSlack
from slack_standin.workspace import JsonDict, Workspace
from tests.conftest import OWNER, FakeClock
from tests.licensing.helpers import subscribe
from tests.licensing.test_notices import PERIOD_END, sweep_reminders
from tests.scheduler.outbox import TOKEN, states


def deliver(scheduled: ScheduledWork, fake: FakeSlack) -> None:
    """Deliver until nothing is left, retries at once."""
    dispatcher = Dispatcher(
        scheduled,
        notice_message,
        lambda key: TOKEN,
        close=closed_notice,
        api_url=fake.api_url,
        first_backoff=timedelta(0),
    )
    for _ in range(5):
        dispatcher.deliver_due()


def canceled(service: LicensingService, account: AccountKey, clock: FakeClock) -> None:
    subscribe(service, account)
    service.handle(account, OWNER, Cancel(), idempotency_key="cancel")
    clock.current = PERIOD_END - timedelta(days=3)


def kinds(messages: list[JsonDict]) -> list[str]:
    return [m["metadata"]["event_payload"]["kind"] for m in messages]


def has_buttons(message: JsonDict) -> bool:
    return any(b["type"] == "actions" for b in message["blocks"])


def test_a_period_end_closes_the_posted_notice_once_through_a_429_and_a_lost_answer(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(account, OWNER, SetNoticeChannel(channel_id="C0LICENSES"))
    canceled(service, account, clock)
    sweep_reminders(scheduled)
    with FakeSlack(Workspace()) as fake:
        deliver(scheduled, fake)
        [notice] = [m for m in fake.messages["C0LICENSES"] if kinds([m]) != ["activity"]]
        assert has_buttons(notice)
        clock.current = PERIOD_END
        scheduled.close_due_periods(account)
        fake.fail_next("conversations.history", status=429, retry_after=1)
        fake.fail_next("chat.update", status=500, applied=True)  # edited, the answer lost

        deliver(scheduled, fake)

        assert not has_buttons(notice)
        assert notice["blocks"][-1]["block_id"] == ids.ENDED_BLOCK
        assert "The subscription ended on Feb 28, 2026 09:00 UTC" in str(notice["blocks"][-1])
        assert notice["metadata"]["event_payload"]["kind"] == "cancellation_coming"
        assert fake.rate_limited == 1
        # the retry read the message back, found it closed and edited nothing more
        assert len(fake.calls("chat.update")) == 1
        assert len(fake.calls("conversations.history")) == 3
        # the period-end notice, written after the close, waited for it
        methods = [
            c.method for c in fake.calls() if c.method in ("chat.update", "chat.postMessage")
        ]
        assert methods[-2:] == ["chat.update", "chat.postMessage"]
        assert kinds(fake.messages["C0LICENSES"])[-2:] == ["cancellation_coming", "period_ended"]
    assert states(engine) == {"sent": 5}  # 2 log lines, the notice, its close, the period end


def test_each_admins_dm_is_closed_and_a_deleted_message_is_left_alone(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(account, OWNER, GrantRole(user_id="UADMIN", role=RoleName.COMPANY_ADMIN))
    canceled(service, account, clock)
    sweep_reminders(scheduled)
    with FakeSlack(Workspace()) as fake:
        deliver(scheduled, fake)
        fake.messages["DUADMIN"].clear()  # Adam deleted it
        clock.current = PERIOD_END
        scheduled.close_due_periods(account)

        deliver(scheduled, fake)

        [update] = fake.calls("chat.update")
        assert update.params["channel"] == "DUOWNER"
        assert kinds(fake.messages["DUOWNER"]) == ["cancellation_coming", "period_ended"]
        assert not has_buttons(fake.messages["DUOWNER"][0])
        assert kinds(fake.messages["DUADMIN"]) == ["period_ended"]
    assert states(engine) == {"sent": 6}  # the notice and its close to each, the period ends
