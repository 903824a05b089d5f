"""Notices are written once per account, kind and period, in the transaction that makes them
due, with one delivery per place they go to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from licensing import orm
from licensing.errors import InvalidLeadTime, NotAllowed, SeatsAlreadyGone
from licensing.requests import (
    Assign,
    Cancel,
    Purchase,
    Reactivate,
    Restore,
    ScheduleRemoval,
    SetNoticeChannel,
    SetReminderLead,
)
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, NoticeFacts
from licensing.service import LicensingService
from tests.conftest import OWNER, FakeClock
from tests.licensing.helpers import ledger_events, member, pool_counts, subscribe

PERIOD_END = datetime(
    2026, 2, 28, 9, 0, tzinfo=UTC
)  # the first period of an account subscribed at START
TRIAL_END = datetime(2026, 2, 14, 9, 0, tzinfo=UTC)


def notices(engine: Engine) -> list[tuple[str, NoticeFacts, list[str]]]:
    """(kind, facts, delivery targets) of every notice but the activity logs, oldest first."""
    with Session(engine) as session:
        rows = session.scalars(
            select(orm.Notice).where(orm.Notice.kind != "activity").order_by(orm.Notice.id)
        ).all()
        return [
            (
                row.kind,
                NoticeFacts.model_validate_json(row.payload),
                list(
                    session.scalars(
                        select(orm.NoticeDelivery.target)
                        .where(orm.NoticeDelivery.notice_id == row.id)
                        .order_by(orm.NoticeDelivery.id)
                    )
                ),
            )
            for row in rows
        ]


def sweep_reminders(scheduled: ScheduledWork) -> int:
    written = 0
    while scheduled.write_next_due_reminders():
        written += 1
    return written


@pytest.fixture
def subscribed(service: LicensingService, account: AccountKey) -> AccountKey:
    """Five talk seats, two of them scheduled for removal, notices to #licenses."""
    subscribe(service, account, seats=5)
    service.handle(account, OWNER, SetNoticeChannel(channel_id="C0LICENSES"))
    service.handle(
        account, OWNER, ScheduleRemoval(count=2, product="talk"), idempotency_key="remove-2"
    )
    return account


def test_reminders_wait_for_the_lead_time_then_are_written_once(
    scheduled: ScheduledWork, subscribed: AccountKey, clock: FakeClock, engine: Engine
) -> None:
    clock.current = PERIOD_END - timedelta(days=3, seconds=1)
    assert sweep_reminders(scheduled) == 0
    clock.current = PERIOD_END - timedelta(days=3)

    assert sweep_reminders(scheduled) == 1
    assert sweep_reminders(scheduled) == 0

    (removal, removal_facts, removal_to), (renewal, renewal_facts, renewal_to) = notices(engine)
    assert (removal, renewal) == ("removal_scheduled", "renewal_coming")
    assert removal_to == renewal_to == ["C0LICENSES"]
    assert removal_facts.period_end == PERIOD_END
    assert [(p.office, p.product_id, p.seats, p.purchased) for p in removal_facts.removals] == [
        ("Main", "talk", 2, 5)
    ]
    assert [(line.seats, line.amount) for line in renewal_facts.lines] == [(3, Decimal("45.00"))]
    assert renewal_facts.total == Decimal("45.00")


def test_a_removal_inside_the_lead_time_is_announced_at_once(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    subscribe(service, account, seats=5)
    clock.current = PERIOD_END - timedelta(days=2)
    sweep_reminders(scheduled)
    assert [kind for kind, _, _ in notices(engine)] == ["renewal_coming"]

    service.handle(account, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="late")
    service.handle(
        account, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="later"
    )

    kinds = [kind for kind, _, _ in notices(engine)]
    assert kinds.count("removal_scheduled") == 1  # once per kind and period
    # the renewal notice said 75.00; each removal changed the amount, and says so
    assert kinds == ["renewal_coming", "removal_scheduled", "renewal_changed", "renewal_changed"]
    assert notices(engine)[1][2] == ["UOWNER"]  # no notice channel: company admins by DM


def test_a_trial_gets_a_reminder_before_it_ends(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(account, OWNER, Purchase(count=4, product="talk"), idempotency_key="trial-seats")
    clock.current = TRIAL_END - timedelta(days=3)
    sweep_reminders(scheduled)

    [(kind, facts, targets)] = notices(engine)
    assert (kind, facts.period_end, targets) == ("trial_ending", TRIAL_END, ["UOWNER"])
    assert facts.total == Decimal("60.00")  # what 4 talk seats cost a month once subscribed


def test_a_cancellation_says_what_will_be_deleted(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(subscribed, OWNER, Assign(user_id="UDANA", product="talk"))
    service.handle(subscribed, OWNER, Cancel(), idempotency_key="cancel")
    clock.current = PERIOD_END - timedelta(days=1)
    sweep_reminders(scheduled)

    [(kind, facts, _)] = notices(engine)
    assert kind == "cancellation_coming"
    assert facts.to_delete is not None
    assert facts.to_delete.model_dump() == {
        "offices": ["Main"],
        "seats": 5,
        "assigned": 1,
        "admins": 1,
    }


def test_each_period_end_writes_its_result_to_the_people_it_concerned(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(subscribed, OWNER, Cancel(), idempotency_key="cancel")
    service.handle(subscribed, OWNER, Reactivate(), idempotency_key="reactivate")
    clock.current = datetime(2026, 4, 1, tzinfo=UTC)  # two period ends passed while down

    scheduled.close_due_periods(subscribed)

    ended = [(facts.closed, to) for kind, facts, to in notices(engine) if kind == "period_ended"]
    assert [(c.period_end.month, c.outcome) for c, _ in ended if c] == [
        (2, "renewed"),
        (3, "renewed"),
    ]
    first, second = (c for c, _ in ended if c)
    assert [(r.product_id, r.seats) for r in first.removed] == [("talk", 2)]
    assert first.invoice and first.invoice.total == Decimal("45.00")
    assert second.removed == [] and second.invoice and second.invoice.total == Decimal("45.00")
    assert {tuple(to) for _, to in ended} == {("C0LICENSES",)}


def test_the_end_of_a_cancellation_still_reaches_the_channel_it_deletes(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    service.handle(subscribed, OWNER, Cancel(), idempotency_key="cancel")
    clock.current = PERIOD_END
    scheduled.close_due_periods(subscribed)

    kind, facts, targets = notices(engine)[-1]
    assert (kind, facts.closed and facts.closed.outcome, targets) == (
        "period_ended",
        "canceled",
        ["C0LICENSES"],
    )


def test_a_restore_from_a_notice_is_refused_once_its_period_ended(
    service: LicensingService, scheduled: ScheduledWork, subscribed: AccountKey, clock: FakeClock
) -> None:
    clock.current = PERIOD_END
    scheduled.close_due_periods(subscribed)

    with pytest.raises(SeatsAlreadyGone, match="left when the period ended on Feb 28, 2026"):
        service.handle(
            subscribed,
            OWNER,
            Restore(count=2, product="talk", period_end=PERIOD_END),
            idempotency_key="late",
        )
    assert pool_counts(service, subscribed) == (3, 0, 0)


def test_the_lead_time_is_a_company_admin_setting_of_1_to_30_days(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    with pytest.raises(NotAllowed):
        service.handle(subscribed, member("UDANA"), SetReminderLead(days=7))
    for bad in (0, 31):
        with pytest.raises(InvalidLeadTime, match="1 to 30 days"):
            service.handle(subscribed, OWNER, SetReminderLead(days=bad))

    service.handle(subscribed, OWNER, SetReminderLead(days=7))
    clock.current = PERIOD_END - timedelta(days=7)
    assert sweep_reminders(scheduled) == 1
    assert "notice_lead_set" in ledger_events(engine)


def test_a_delivery_that_fails_for_good_is_audited_and_falls_back_to_dms(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    log, removal, renewal = scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1))
    assert [d.notice.facts.kind for d in (log, removal, renewal)] == [
        "activity",  # of the removal, since the channel was set
        "removal_scheduled",
        "renewal_coming",
    ]
    assert scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1)) == []

    scheduled.delivery_failed(removal.id, "is_archived")

    audit = service.audit(subscribed, OWNER).entries
    assert [e.event for e in audit[-2:]] == ["notice_failed", "notice_channel_dropped"]
    assert audit[-2].detail == "removal_scheduled to C0LICENSES: is_archived"
    assert service.status(subscribed, OWNER).notice_channel is None
    # the renewal, claimed by another dispatcher, fails there too and follows by DM
    scheduled.delivery_failed(renewal.id, "is_archived")
    fallbacks = scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1))
    assert [(d.target, d.to_user, d.notice.facts.kind) for d in fallbacks] == [
        ("UOWNER", True, "removal_scheduled"),
        ("UOWNER", True, "renewal_coming"),
    ]
    scheduled.delivery_failed(log.id, "is_archived")  # a log has nowhere else to go
    assert scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1)) == []


def test_an_uninstall_gives_up_waiting_notices_but_keeps_the_channel_and_the_subscription(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    before = service.status(subscribed, OWNER)

    given_up = service.uninstalled(subscribed, "licensebot was uninstalled from the workspace")

    assert given_up == 3  # the removal's log line, the removal notice and the renewal notice
    now = datetime(2026, 11, 1, tzinfo=UTC)
    assert scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1)) == []
    after = service.status(subscribed, OWNER)
    assert after.notice_channel == "C0LICENSES"
    assert after.subscription == before.subscription
    [entry] = service.audit(subscribed, OWNER).entries[-1:]
    assert (entry.event, entry.detail) == (
        "notices_undeliverable",
        "3 notices: licensebot was uninstalled from the workspace",
    )
    assert service.uninstalled(subscribed, "again") == 0


def test_a_delivery_to_a_workspace_that_is_gone_keeps_the_channel_for_a_reinstall(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    _, removal, _ = scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1))

    scheduled.delivery_undeliverable(removal.id, "licensebot is not installed in this workspace")

    assert service.status(subscribed, OWNER).notice_channel == "C0LICENSES"
    assert service.audit(subscribed, OWNER).entries[-1].event == "notices_undeliverable"
    assert scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1)) == []


def test_a_delivery_whose_lease_ran_out_is_claimed_again_as_maybe_posted(
    scheduled: ScheduledWork, subscribed: AccountKey, clock: FakeClock
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    first, *_ = scheduled.claim_deliveries(now, limit=10, lease=timedelta(minutes=1))
    assert (first.maybe_posted, first.attempts) == (False, 1)

    later = now + timedelta(minutes=2)  # the dispatcher died holding them
    again, *_ = scheduled.claim_deliveries(later, limit=10, lease=timedelta(minutes=1))
    assert (again.id, again.maybe_posted, again.attempts) == (first.id, True, 2)

    assert scheduled.delivery_retry(again.id, later, "ratelimited", maybe_posted=False)
    assert not scheduled.delivery_retry(
        again.id, now + timedelta(hours=25), "500", maybe_posted=True
    )


def test_a_renewal_notice_whose_amount_changes_is_followed_by_a_correction_per_change(
    service: LicensingService,
    scheduled: ScheduledWork,
    subscribed: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    clock.current = PERIOD_END - timedelta(days=3)
    sweep_reminders(scheduled)
    [renewal] = [f for kind, f, _ in notices(engine) if kind == "renewal_coming"]
    assert renewal.total == Decimal("45.00")  # 3 of 5 seats renew

    service.handle(subscribed, OWNER, Restore(count=2, product="talk"), "restore")
    service.handle(subscribed, OWNER, Assign(user_id="U0DANA", product="talk"))  # same amount
    service.handle(subscribed, OWNER, Purchase(count=1, product="talk"), "buy")

    changed = [
        (f.previous_total, f.total) for kind, f, _ in notices(engine) if kind == "renewal_changed"
    ]
    assert changed == [(Decimal("45.00"), Decimal("75.00")), (Decimal("75.00"), Decimal("90.00"))]
    [(_, first, targets)] = [n for n in notices(engine) if n[0] == "renewal_changed"][:1]
    assert targets == ["C0LICENSES"]
    assert [line.seats for line in first.lines] == [5]
