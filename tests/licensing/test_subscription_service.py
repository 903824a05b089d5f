"""Trial, subscribe, cancel, reactivate and period ends."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from licensing import errors, orm
from licensing.calendar import Interval
from licensing.requests import (
    Assign,
    Cancel,
    ChangeInterval,
    Purchase,
    Reactivate,
    Revoke,
    ScheduleRemoval,
    SetBillingDetails,
    SetNoticeChannel,
    Subscribe,
)
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Actor, PoolTarget
from licensing.service import LicensingService
from tests.conftest import OWNER, START, FakeClock
from tests.licensing.helpers import count_rows, ledger_events, pool_counts, subscribe


def _trial_with_assignments(
    service: LicensingService, account: AccountKey, seats: int, users: int
) -> None:
    service.handle(
        account, OWNER, Purchase(count=seats, product="talk"), idempotency_key="trial-buy"
    )
    for n in range(users):
        service.handle(account, OWNER, Assign(user_id=f"U{n}", product="talk"))


def test_subscribing_charges_the_first_period_in_full_and_in_advance(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    _trial_with_assignments(service, account, seats=8, users=2)
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))

    result = service.handle(
        account,
        OWNER,
        Subscribe(
            interval=Interval.MONTH, pools=(PoolTarget(product="talk", seats=4),), start_now=True
        ),
        idempotency_key="s",
    )

    assert (result.period_start, result.period_end) == (START, START.replace(month=2, day=28))
    assert [(line.seats, line.amount) for line in result.lines] == [(4, Decimal("60.00"))]
    assert result.total == Decimal("60.00")
    assert service.status(account, OWNER).subscription.status == "active"
    assert pool_counts(service, account) == (4, 0, 2)
    [invoice] = service.invoices(account, OWNER).invoices
    assert (invoice.kind, invoice.total) == ("subscription", Decimal("60.00"))


def test_an_annual_subscription_charges_annual_prices_for_a_year(
    service: LicensingService, account: AccountKey
) -> None:
    subscribe(service, account, seats=3, interval=Interval.YEAR)
    status = service.status(account, OWNER)
    assert status.subscription.period_end == START.replace(year=2027)
    assert service.invoices(account, OWNER).invoices[0].total == Decimal("450.00")


def test_converting_with_fewer_seats_than_assigned_is_refused(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    _trial_with_assignments(service, account, seats=5, users=3)
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))

    with pytest.raises(errors.SeatsBelowAssigned) as refused:
        service.handle(
            account,
            OWNER,
            Subscribe(
                interval=Interval.MONTH,
                pools=(PoolTarget(product="talk", seats=2),),
                start_now=True,
            ),
            idempotency_key="s",
        )

    assert refused.value.message == (
        "Main has 3 Talk seats assigned, so it cannot keep only 2. "
        "Revoke users first, or keep at least 3."
    )
    assert service.status(account, OWNER).subscription.status == "trialing"
    assert count_rows(engine, orm.Invoice) == 0


def test_subscribing_needs_billing_details_on_file(
    service: LicensingService, account: AccountKey
) -> None:
    _trial_with_assignments(service, account, seats=2, users=0)
    with pytest.raises(errors.BillingDetailsMissing):
        service.handle(
            account, OWNER, Subscribe(interval=Interval.MONTH, start_now=True), idempotency_key="s"
        )


def stored_billing_details(engine: Engine) -> list[str | None]:
    with Session(engine) as session:
        return list(session.scalars(select(orm.Account.billing_details)))


@pytest.mark.parametrize(
    "details",
    [
        "Visa 4242 4242 4242 4242, exp 12/28",
        "4111-1111-1111-1111",
        "Acme Ltd, card ending 4242, cvv: 123",
        pytest.param("Acme Ltd, " + "x" * 250 + " 4242424242424242", id="past-200-characters"),
    ],
)
def test_billing_details_holding_card_data_are_refused_and_nothing_is_stored(
    service: LicensingService, account: AccountKey, engine: Engine, details: str
) -> None:
    service.handle(account, OWNER, SetBillingDetails(details="Acme Ltd, VAT GB123456789"))
    ledger = ledger_events(engine)
    with pytest.raises(errors.CardDataRefused, match="Card details are never taken in Slack"):
        service.handle(account, OWNER, SetBillingDetails(details=details))
    assert stored_billing_details(engine) == ["Acme Ltd, VAT GB123456789"]
    assert ledger_events(engine) == ledger


def test_a_trial_that_ends_unconverted_expires_without_a_charge(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    _trial_with_assignments(service, account, seats=5, users=2)
    clock.advance(days=14)

    [closed] = scheduled.close_due_periods(account)

    assert closed.outcome == "expired" and closed.invoice is None
    assert service.status(account, OWNER).subscription.status == "expired"
    assert count_rows(engine, orm.Invoice) == 0
    with pytest.raises(errors.WrongSubscriptionState, match="trial has expired"):
        service.handle(account, OWNER, Assign(user_id="U9", product="talk"))
    subscribe(service, account, seats=5)  # an expired trial can still convert
    assert service.status(account, OWNER).subscription.status == "active"


def test_a_cancellation_can_be_reactivated_before_the_period_ends(
    service: LicensingService, scheduled: ScheduledWork, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=2)
    canceled = service.handle(account, OWNER, Cancel(), idempotency_key="c")
    assert (canceled.status, canceled.ends_at) == ("canceling", START.replace(month=2, day=28))
    assert canceled.next_invoice_estimate == Decimal("0")

    reactivated = service.handle(account, OWNER, Reactivate(), idempotency_key="r")
    assert reactivated.status == "active" and reactivated.next_invoice_estimate == Decimal("30.00")

    clock.advance(days=28)
    [closed] = scheduled.close_due_periods(account)
    assert closed.outcome == "renewed" and closed.invoice is not None
    assert closed.invoice.total == Decimal("30.00")


def test_a_cancellation_that_runs_to_its_end_deletes_instance_data_and_keeps_the_records(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    subscribe(service, account, seats=2)
    service.handle(account, OWNER, Assign(user_id="U1", product="talk"))
    service.handle(account, OWNER, SetNoticeChannel(channel_id="C1"))
    service.handle(account, OWNER, Cancel(), idempotency_key="c")
    ledger_rows = count_rows(engine, orm.LedgerEntry)
    clock.advance(days=28)

    [closed] = scheduled.close_due_periods(account)

    assert closed.outcome == "canceled" and closed.invoice is None
    for table in (orm.Pool, orm.Assignment, orm.Role):
        assert count_rows(engine, table) == 0, table.__tablename__
    assert count_rows(engine, orm.Office) == 1  # an empty Main, as every account has
    assert count_rows(engine, orm.Invoice) == 1
    assert count_rows(engine, orm.LedgerEntry) == ledger_rows + 1
    [exported] = list(service.export())
    assert exported.subscription.status == "canceled"
    assert [(o.name, o.pools) for o in exported.offices] == [("Main", [])]
    assert exported.invoices[0].total == Decimal("30.00")


def test_after_a_cancellation_ended_a_company_admin_starts_a_new_paid_subscription(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
) -> None:
    subscribe(service, account, seats=2)
    service.handle(account, OWNER, Cancel(), idempotency_key="c")
    clock.advance(days=30)
    scheduled.close_due_periods(account)
    slack_admin = Actor(user_id="UADMIN", workspace_admin=True)  # the roles were deleted
    with pytest.raises(errors.WrongSubscriptionState, match="start a new one"):
        service.handle(account, slack_admin, Reactivate(), idempotency_key="r")

    service.handle(account, slack_admin, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=3),)
    request = Subscribe(interval=Interval.MONTH, pools=pools)
    quote = service.handle(account, slack_admin, request, idempotency_key="again")

    assert not quote.keeps_trial and quote.period_start == clock.now()
    assert quote.total == Decimal("45.00")
    assert service.status(account, OWNER).subscription.status == "active"


@pytest.mark.parametrize("missed", [2, 5])
def test_missed_period_ends_are_processed_in_order_once_each(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
    missed: int,
) -> None:
    subscribe(service, account, seats=2)  # anchored Jan 31 09:00
    service.handle(account, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="rm")
    ends = [
        datetime(2026, month, day, 9, tzinfo=UTC)
        for month, day in [(2, 28), (3, 31), (4, 30), (5, 31), (6, 30)]
    ][:missed]
    clock.current = ends[-1].replace(hour=12)  # the bot was down across `missed` period ends

    closed = scheduled.close_due_periods(account)

    assert [c.period_end for c in closed] == ends
    assert [r.seats for r in closed[0].removed] == [1]
    assert all(c.removed == [] for c in closed[1:])
    assert [c.invoice.total for c in closed if c.invoice] == [Decimal("15.00")] * missed
    assert scheduled.close_due_periods(account) == []
    assert scheduled.close_next_due_period() is None
    assert count_rows(engine, orm.PeriodClosing) == missed
    assert ledger_events(engine).count("renewal_charged") == missed


def test_the_scheduler_entry_point_closes_every_due_account_oldest_first(
    service: LicensingService, scheduled: ScheduledWork, clock: FakeClock
) -> None:
    for team in ("TA", "TB"):
        key = AccountKey(team_id=team)
        service.install(key, OWNER.user_id)
        subscribe(service, key, seats=1)
        clock.advance(days=1)  # TA is anchored on Jan 31, TB on Feb 1
    clock.current = datetime(2026, 4, 2, tzinfo=UTC)

    closed = []
    while (result := scheduled.close_next_due_period()) is not None:
        closed.append((result.team_id, result.period_end.date().isoformat()))

    assert closed == [
        ("TA", "2026-02-28"),
        ("TB", "2026-03-01"),
        ("TA", "2026-03-31"),
        ("TB", "2026-04-01"),
    ]


def test_the_database_refuses_to_close_a_period_twice(
    service: LicensingService,
    scheduled: ScheduledWork,
    account: AccountKey,
    clock: FakeClock,
    engine: Engine,
) -> None:
    subscribe(service, account, seats=1)
    clock.advance(days=28)
    [closed] = scheduled.close_due_periods(account)
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.add(
            orm.PeriodClosing(
                account_id=1, period_end=closed.period_end, outcome="renewed", closed_at=clock.now()
            )
        )
        session.commit()


def test_the_ledger_is_append_only(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    service.handle(account, OWNER, Purchase(count=1, product="talk"), idempotency_key="k")
    for statement in ("UPDATE ledger SET seats = 99", "DELETE FROM ledger"):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
    assert ledger_events(engine) == ["trial_started", "trial_seats_added"]


def test_an_interval_given_as_plain_text_bills_the_same_as_the_enum(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="trial")
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))
    monthly = Subscribe(interval="month", start_now=True)  # type: ignore[arg-type]
    result = service.handle(account, OWNER, monthly, idempotency_key="s")
    assert (result.total, result.period_end) == (Decimal("30.00"), START.replace(month=2, day=28))


def test_after_an_expired_trial_users_can_be_revoked_to_subscribe_with_fewer_seats(
    service: LicensingService, scheduled: ScheduledWork, account: AccountKey, clock: FakeClock
) -> None:
    _trial_with_assignments(service, account, seats=3, users=3)
    clock.advance(days=14)
    scheduled.close_due_periods(account)
    service.handle(account, OWNER, Revoke(user_id="U2", product="talk"))
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))
    result = service.handle(
        account,
        OWNER,
        Subscribe(
            interval=Interval.MONTH, pools=(PoolTarget(product="talk", seats=2),), start_now=True
        ),
        idempotency_key="s",
    )
    assert result.total == Decimal("30.00")
    assert pool_counts(service, account) == (2, 0, 2)


TRIAL_END = START.replace(month=2, day=14)


def _subscribed_in_trial(service: LicensingService, account: AccountKey, seats: int = 3) -> None:
    service.handle(account, OWNER, Purchase(count=seats, product="talk"), idempotency_key="t")
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))
    request = Subscribe(interval=Interval.MONTH)
    quote = service.handle(account, OWNER, request, idempotency_key="keep-trial")
    assert quote.keeps_trial and quote.invoice_id is None
    assert (quote.period_start, quote.trial_end) == (TRIAL_END, TRIAL_END)


def test_subscribing_in_the_trial_charges_nothing_until_the_trial_ends(
    service: LicensingService, scheduled: ScheduledWork, account: AccountKey, clock: FakeClock
) -> None:
    _subscribed_in_trial(service, account, seats=3)
    assert service.status(account, OWNER).subscription.status == "converting"
    assert service.invoices(account, OWNER).invoices == []
    with pytest.raises(errors.WrongSubscriptionState, match="first paid period starts"):
        service.handle(account, OWNER, Subscribe(interval=Interval.YEAR), idempotency_key="again")

    clock.current = TRIAL_END
    [closed] = scheduled.close_due_periods(account)

    assert closed.outcome == "started" and closed.invoice is not None
    assert (closed.invoice.total, closed.invoice.covers_start) == (Decimal("45.00"), TRIAL_END)
    summary = service.status(account, OWNER).subscription
    assert (summary.status, summary.period_end) == ("active", START.replace(month=3, day=14))


def test_canceling_a_subscription_that_waits_for_the_trial_end_lets_the_trial_expire_unpaid(
    service: LicensingService, scheduled: ScheduledWork, account: AccountKey, clock: FakeClock
) -> None:
    _subscribed_in_trial(service, account)
    change = service.handle(account, OWNER, Cancel(), idempotency_key="cancel")
    assert (change.status, change.ends_at) == ("trialing", TRIAL_END)

    clock.current = TRIAL_END
    [closed] = scheduled.close_due_periods(account)
    assert closed.outcome == "expired" and closed.invoice is None
    assert service.invoices(account, OWNER).invoices == []


def test_starting_now_gives_up_the_rest_of_the_trial_and_charges_at_once(
    service: LicensingService, account: AccountKey, clock: FakeClock
) -> None:
    clock.advance(days=4)
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))
    request = Subscribe(interval=Interval.MONTH, pools=(PoolTarget(product="talk", seats=2),))
    review = service.quote(account, OWNER, request.model_copy(update={"start_now": True}))
    assert not review.keeps_trial and review.trial_end == TRIAL_END
    quote = service.handle(
        account, OWNER, request.model_copy(update={"start_now": True}), idempotency_key="now"
    )
    assert quote.period_start == clock.now() and quote.invoice_id is not None
    assert [i.total for i in service.invoices(account, OWNER).invoices] == [Decimal("30.00")]


def test_switching_to_annual_billing_applies_from_the_next_period(
    service: LicensingService, scheduled: ScheduledWork, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=2)  # monthly, Jan 31 → Feb 28
    clock.advance(days=10)

    switched = service.handle(account, OWNER, ChangeInterval(interval=Interval.YEAR))

    assert switched.next_interval == "year"
    assert switched.next_invoice_estimate == Decimal("300.00")  # 2 × 150.00 a year
    summary = service.status(account, OWNER).subscription
    assert (summary.interval, summary.next_interval) == ("month", "year")
    with pytest.raises(errors.IntervalUnchanged):
        service.handle(account, OWNER, ChangeInterval(interval=Interval.YEAR))

    clock.current = START.replace(month=2, day=28)
    [closed] = scheduled.close_due_periods(account)

    assert closed.invoice is not None and closed.invoice.total == Decimal("300.00")
    assert (closed.invoice.covers_start, closed.invoice.covers_end) == (
        START.replace(month=2, day=28),
        START.replace(year=2027, month=2, day=28),
    )
    summary = service.status(account, OWNER).subscription
    assert (summary.interval, summary.next_interval) == ("year", None)


def test_switching_back_before_the_period_ends_changes_nothing(
    service: LicensingService, scheduled: ScheduledWork, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=2)
    service.handle(account, OWNER, ChangeInterval(interval=Interval.YEAR))
    back = service.handle(account, OWNER, ChangeInterval(interval=Interval.MONTH))
    assert back.next_interval is None and back.next_invoice_estimate == Decimal("30.00")

    clock.current = START.replace(month=2, day=28)
    [closed] = scheduled.close_due_periods(account)
    assert closed.invoice is not None and closed.invoice.total == Decimal("30.00")
