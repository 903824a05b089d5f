"""When a period closes, the notices whose buttons acted on it are closed: each message already
posted is edited without its buttons (a close, written with the period end), a delivery still
waiting posts the notice as it now is, and a post recorded after the period end is closed after
it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from licensing import orm
from licensing.calendar import Interval
from licensing.model import RoleName
from licensing.outbox import Outcomes
from licensing.requests import (
    Cancel,
    GrantRole,
    Purchase,
    SetBillingDetails,
    SetNoticeChannel,
    Subscribe,
)
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Delivery, PoolTarget
from licensing.service import LicensingService
from tests.conftest import OWNER, FakeClock
from tests.licensing.helpers import subscribe
from tests.licensing.test_notices import PERIOD_END, TRIAL_END, subscribed, sweep_reminders

__all__ = ["subscribed"]  # the fixture

NOW = datetime(2026, 11, 1, tzinfo=UTC)  # the dispatcher's (real) time
LEASE = timedelta(minutes=1)


def claim(scheduled: ScheduledWork) -> list[Delivery]:
    return scheduled.claim_deliveries(NOW, 100, LEASE)


def posted(scheduled: ScheduledWork, deliveries: list[Delivery]) -> None:
    """Record each delivery done: posted (to the user's DM, for a user) or edited."""
    scheduled.record_deliveries(Outcomes(sent=[(d.id, *_message(d)) for d in deliveries]))


def _message(delivery: Delivery) -> tuple[str, str]:
    if delivery.channel and delivery.ts:
        return delivery.channel, delivery.ts
    return ("D" if delivery.to_user else "") + delivery.target, f"{delivery.id}.0"


def deliver_all(scheduled: ScheduledWork) -> list[Delivery]:
    done = claim(scheduled)
    posted(scheduled, done)
    return done


def summary(deliveries: list[Delivery]) -> list[tuple[str, str, str]]:
    return [(d.action, d.notice.facts.kind, d.target) for d in deliveries]


def closes(engine: Engine) -> list[tuple[str, str, str | None, str | None, str]]:
    """(kind, target, channel, ts, state) of every close, oldest first."""
    with Session(engine) as session:
        rows = session.execute(
            select(orm.Notice.kind, orm.NoticeDelivery)
            .join(orm.Notice, orm.Notice.id == orm.NoticeDelivery.notice_id)
            .where(orm.NoticeDelivery.action == "close")
            .order_by(orm.NoticeDelivery.id)
        ).all()
        return [(kind, d.target, d.channel, d.ts, d.state) for kind, d in rows]


def test_the_end_of_a_cancellation_closes_each_message_its_notice_left(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    subscribe(service, account)  # no notice channel: company admins get notices by DM
    service.handle(account, OWNER, GrantRole(user_id="UADA", role=RoleName.COMPANY_ADMIN))
    service.handle(account, OWNER, Cancel(), idempotency_key="cancel")
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    to_ada, to_owner = claim(scheduled)
    scheduled.delivery_failed(to_ada.id, "cannot_dm_bot")  # never posted: nothing to close
    posted(scheduled, [to_owner])

    clock.current = PERIOD_END
    scheduled.close_due_periods(account)

    close, *results = claim(scheduled)
    assert (close.action, close.target, close.channel, close.ts) == (
        "close",
        "UOWNER",
        "DUOWNER",
        f"{to_owner.id}.0",
    )
    ended = close.notice.facts.ended
    assert ended is not None and (ended.outcome, ended.period_end) == ("canceled", PERIOD_END)
    # written before the period-end notice, so a place sees its buttons go first
    assert summary(results) == [
        ("post", "period_ended", "UADA"),
        ("post", "period_ended", "UOWNER"),
    ]
    posted(scheduled, [close, *results])
    assert closes(engine) == [
        ("cancellation_coming", "UOWNER", "DUOWNER", f"{to_owner.id}.0", "sent")
    ]
    assert claim(scheduled) == []


def test_a_renewal_closes_the_removal_notice_and_leaves_those_without_buttons(
    scheduled: ScheduledWork, subscribed: AccountKey, clock: FakeClock
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    _, removal, _ = deliver_all(scheduled)  # the removal's log line, the removal, the renewal

    clock.current = PERIOD_END
    scheduled.close_due_periods(subscribed)

    close, result = claim(scheduled)
    assert summary([close, result]) == [
        ("close", "removal_scheduled", "C0LICENSES"),
        ("post", "period_ended", "C0LICENSES"),
    ]
    assert (close.channel, close.ts) == ("C0LICENSES", f"{removal.id}.0")
    ended = close.notice.facts.ended
    assert ended is not None and ended.outcome == "renewed"
    assert [(r.product_id, r.seats) for r in ended.removed] == [("talk", 2)]
    assert close.notice.facts.removals == removal.notice.facts.removals  # what it said stays


def test_a_notice_still_waiting_at_the_period_end_is_posted_without_buttons_and_not_closed(
    scheduled: ScheduledWork, subscribed: AccountKey, clock: FakeClock, engine: Engine
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)  # and the dispatcher was down until after the period end
    clock.current = PERIOD_END
    scheduled.close_due_periods(subscribed)
    assert closes(engine) == []

    waiting = deliver_all(scheduled)

    removal = next(d for d in waiting if d.notice.facts.kind == "removal_scheduled")
    assert removal.notice.facts.ended is not None  # rendered as it now is
    # recorded after the period end, it is closed after it all the same: the close finds no
    # buttons and leaves the message as it is
    [close] = claim(scheduled)
    assert (close.action, close.channel, close.ts) == ("close", "C0LICENSES", f"{removal.id}.0")
    posted(scheduled, [close])
    assert claim(scheduled) == []


def test_a_post_in_hand_when_the_period_closes_is_closed_once_recorded(
    scheduled: ScheduledWork, subscribed: AccountKey, clock: FakeClock, engine: Engine
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    in_hand = claim(scheduled)  # rendered with buttons
    assert all(d.notice.facts.ended is None for d in in_hand)
    clock.current = PERIOD_END
    scheduled.close_due_periods(subscribed)

    posted(scheduled, in_hand)  # they landed after the period end

    removal = next(d for d in in_hand if d.notice.facts.kind == "removal_scheduled")
    assert closes(engine) == [
        ("removal_scheduled", "C0LICENSES", "C0LICENSES", f"{removal.id}.0", "pending")
    ]
    posted(scheduled, [next(d for d in claim(scheduled) if d.action == "close")])
    assert [c[-1] for c in closes(engine)] == ["sent"]  # a close is not closed again


def test_a_trial_notice_keeps_its_subscribe_button_when_the_trial_expires(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="buy")
    clock.current = TRIAL_END - timedelta(days=3)
    sweep_reminders(scheduled)
    deliver_all(scheduled)

    clock.current = TRIAL_END
    scheduled.close_due_periods(account)

    assert closes(engine) == []  # subscribing still works after an expired trial


def test_a_trial_notice_is_closed_when_the_subscription_starts_at_its_end(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(account, OWNER, SetNoticeChannel(channel_id="C0LICENSES"))
    clock.current = TRIAL_END - timedelta(days=3)
    sweep_reminders(scheduled)
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=2),)
    service.handle(account, OWNER, Subscribe(interval=Interval.MONTH, pools=pools), "subscribe")
    delivered = deliver_all(scheduled)
    assert ("post", "trial_ending", "C0LICENSES") in summary(delivered)

    clock.current = TRIAL_END
    scheduled.close_due_periods(account)

    assert [(kind, state) for kind, *_, state in closes(engine)] == [("trial_ending", "pending")]


def test_a_close_that_fails_for_good_is_audited_and_goes_nowhere_else(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    deliver_all(scheduled)
    clock.current = PERIOD_END
    scheduled.close_due_periods(subscribed)
    close, result = claim(scheduled)

    scheduled.delivery_failed(close.id, "cant_update_message")
    posted(scheduled, [result])

    [entry] = service.audit(subscribed, OWNER).entries[-1:]
    assert (entry.event, entry.detail) == (
        "notice_failed",
        "the close of removal_scheduled to C0LICENSES: cant_update_message",
    )
    assert service.status(subscribed, OWNER).notice_channel == "C0LICENSES"
    assert claim(scheduled) == []
