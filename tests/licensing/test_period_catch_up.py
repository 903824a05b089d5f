"""Requests between a period end and its sweep see the account as it is now: the ended period
is closed first, in the request's own transaction. No sweep runs in these tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from licensing import errors, orm
from licensing.requests import Cancel, Purchase, Restore, ScheduleRemoval
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from tests.conftest import OWNER, START, FakeClock
from tests.licensing.helpers import count_rows, member, pool_counts, subscribe

PERIOD_END = START.replace(month=2, day=28)
NEXT_END = START.replace(month=3, day=31)
JUST_AFTER = PERIOD_END + timedelta(seconds=30)


@pytest.fixture
def subscribed(service: LicensingService, account: AccountKey, clock: FakeClock) -> AccountKey:
    subscribe(service, account, seats=3)
    clock.current = JUST_AFTER
    return account


def renewals(service: LicensingService, account: AccountKey) -> list[tuple[Decimal, object]]:
    invoices = service.invoices(account, OWNER).invoices
    return [(i.total, i.covers_end) for i in invoices if i.kind == "renewal"]


def test_a_purchase_just_after_the_period_end_is_charged_for_the_new_period(
    service: LicensingService, subscribed: AccountKey
) -> None:
    quote = service.handle(subscribed, OWNER, Purchase(count=1, product="talk"), "buy")

    assert (quote.covers_start, quote.covers_end) == (JUST_AFTER, NEXT_END)
    assert quote.amount == Decimal("15.00")  # 31 days less 30 seconds of 31 days, to the cent
    assert renewals(service, subscribed) == [(Decimal("45.00"), NEXT_END)]
    assert service.status(subscribed, OWNER).next_invoice_estimate == Decimal("60.00")


def test_a_cancellation_just_after_the_period_end_ends_with_the_new_period(
    service: LicensingService, subscribed: AccountKey, engine: Engine
) -> None:
    canceled = service.handle(subscribed, OWNER, Cancel(), "cancel")

    assert (canceled.status, canceled.ends_at) == ("canceling", NEXT_END)
    assert pool_counts(service, subscribed) == (3, 0, 0)  # nothing deleted yet
    assert count_rows(engine, orm.Office) == 1


def test_a_removal_just_after_the_period_end_does_not_escape_the_renewal(
    service: LicensingService, subscribed: AccountKey
) -> None:
    change = service.handle(subscribed, OWNER, ScheduleRemoval(count=2, product="talk"), "rm")

    assert change.takes_effect == NEXT_END
    assert renewals(service, subscribed) == [(Decimal("45.00"), NEXT_END)]
    assert pool_counts(service, subscribed) == (3, 2, 0)


def test_a_notice_restore_of_the_ended_period_is_refused(
    service: LicensingService, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=3)
    service.handle(account, OWNER, ScheduleRemoval(count=2, product="talk"), "rm")
    clock.current = JUST_AFTER
    from_notice = Restore(count=2, product="talk", period_end=PERIOD_END)

    with pytest.raises(errors.SeatsAlreadyGone):
        service.handle(account, OWNER, from_notice, "restore")

    assert pool_counts(service, account) == (1, 0, 0)
    assert renewals(service, account) == [(Decimal("15.00"), NEXT_END)]


def test_reading_the_status_just_after_the_period_end_shows_the_new_period(
    service: LicensingService, subscribed: AccountKey
) -> None:
    summary = service.status(subscribed, member("UDANA")).subscription

    assert (summary.period_start, summary.period_end) == (PERIOD_END, NEXT_END)
    assert renewals(service, subscribed) == [(Decimal("45.00"), NEXT_END)]


def test_a_refused_request_still_leaves_the_ended_period_closed_once(
    service: LicensingService, subscribed: AccountKey, clock: FakeClock
) -> None:
    with pytest.raises(errors.NotAllowed):
        service.handle(subscribed, member("UDANA"), Purchase(count=1, product="talk"), "b")

    assert renewals(service, subscribed) == [(Decimal("45.00"), NEXT_END)]
    clock.current = NEXT_END + timedelta(days=40)  # two more periods ended meanwhile
    service.status(subscribed, OWNER)
    assert [end for _, end in renewals(service, subscribed)] == [
        START.replace(month=5, day=31),
        START.replace(month=4, day=30),
        NEXT_END,
    ]
