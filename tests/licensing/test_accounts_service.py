"""Opening accounts, their settings, and the billing time zone and proration mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import Engine

from licensing import errors
from licensing.calendar import ProrationMode
from licensing.catalog import Catalog
from licensing.clock import StoredTestClock
from licensing.db import make_session_factory
from licensing.requests import AddOffice, Purchase, SetNoticeChannel, SetTimeZone
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from tests.conftest import OWNER, START, FakeClock
from tests.licensing.helpers import subscribe


def test_a_new_account_starts_a_trial_with_a_main_office_and_the_installer_as_admin(
    service: LicensingService, account: AccountKey
) -> None:
    status = service.status(account, OWNER)
    assert status.subscription.status == "trialing"
    assert status.subscription.trial_end == START + timedelta(days=14)
    assert status.offices == ["Main"] and status.is_company_admin
    assert service.audit(account, OWNER).entries[0].event == "trial_started"


def test_installing_again_adds_the_new_installer_as_company_admin_and_keeps_the_trial(
    service: LicensingService, account: AccountKey, clock: FakeClock
) -> None:
    clock.advance(days=3)
    summary = service.install(account, "USECOND")
    assert summary.trial_end == START + timedelta(days=14)
    assert service.status(account, Actor(user_id="USECOND")).is_company_admin


def test_an_unknown_time_zone_is_refused(service: LicensingService, account: AccountKey) -> None:
    with pytest.raises(errors.InvalidTimeZone, match="Europe/Berlin"):
        service.handle(account, OWNER, SetTimeZone(time_zone="Mars/Olympus"))
    with pytest.raises(errors.InvalidTimeZone):
        service.install(AccountKey(team_id="T2"), "U1", "Nowhere/City")


def test_periods_follow_the_wall_clock_of_the_billing_time_zone(
    service: LicensingService, clock: FakeClock
) -> None:
    key = AccountKey(team_id="TNY", enterprise_id="E1")
    clock.current = datetime(2026, 3, 1, 5, tzinfo=UTC)  # midnight in New York (EST)
    service.install(key, OWNER.user_id, "America/New_York")
    subscribe(service, key, seats=1)
    # Midnight on Apr 1 in New York is 04:00 UTC: daylight saving time began on Mar 8.
    assert service.status(key, OWNER).subscription.period_end == datetime(2026, 4, 1, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "after"),
    [("UTC", "Asia/Tokyo"), ("Asia/Tokyo", "UTC"), ("UTC", "Pacific/Kiritimati")],
)
def test_a_time_zone_changed_mid_period_applies_from_the_next_period_without_gap_or_overlap(
    service: LicensingService, scheduled: ScheduledWork, clock: FakeClock, before: str, after: str
) -> None:
    key = AccountKey(team_id="TZONES")
    clock.current = datetime(2026, 1, 30, 20, tzinfo=UTC)  # Jan 31 05:00 in Tokyo
    service.install(key, OWNER.user_id, before)
    subscribe(service, key, seats=1)
    first_end = service.status(key, OWNER).subscription.period_end
    clock.current += timedelta(days=10)

    service.handle(key, OWNER, SetTimeZone(time_zone=after))
    assert service.status(key, OWNER).subscription.period_end == first_end

    clock.current = datetime(2026, 6, 1, tzinfo=UTC)
    scheduled.close_due_periods(key)
    invoices = sorted(service.invoices(key, OWNER).invoices, key=lambda i: i.covers_start)
    spans = [(i.covers_start, i.covers_end) for i in invoices]
    assert spans[0][1] == first_end
    assert all(end == start for (_, end), (start, _) in pairwise(spans))
    assert len(spans) == 5  # the first period and four renewals, each charged once


def test_day_mode_counts_the_purchase_day_and_not_the_period_end_day(
    engine: Engine, catalog: Catalog, clock: FakeClock
) -> None:
    day_catalog = catalog.model_copy(update={"proration": ProrationMode.DAYS})
    service = LicensingService(make_session_factory(engine), day_catalog, clock)
    key = AccountKey(team_id="TDAYS")
    service.install(key, OWNER.user_id)
    subscribe(service, key, seats=1)  # Jan 31 09:00 → Feb 28 09:00: 28 days
    clock.current = datetime(2026, 2, 10, 18, tzinfo=UTC)

    result = service.handle(key, OWNER, Purchase(count=2, product="talk"), idempotency_key="k")

    # Feb 10 to Feb 27 inclusive = 18 of 28 days: 2 × 15.00 × 18 / 28 = 19.2857… → 19.29.
    # (In seconds mode 17 days 15 hours are left: 30 × 17.625 / 28 = 18.88.)
    assert result.amount == Decimal("19.29")


def test_seconds_mode_counts_the_exact_time_left(
    service: LicensingService, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=1)
    clock.current = datetime(2026, 2, 10, 18, tzinfo=UTC)
    result = service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="k")
    assert result.amount == Decimal("18.88")


def test_the_notice_channel_and_offices_are_company_admin_settings(
    service: LicensingService, account: AccountKey
) -> None:
    status = service.handle(account, OWNER, SetNoticeChannel(channel_id="C123"))
    assert status.notice_channel == "C123"
    assert service.handle(account, OWNER, AddOffice(name=" Berlin ")).offices == ["Main", "Berlin"]
    with pytest.raises(errors.OfficeAlreadyExists):
        service.handle(account, OWNER, AddOffice(name="BERLIN"))
    with pytest.raises(errors.InvalidOfficeName):
        service.handle(account, OWNER, AddOffice(name="   "))
    with pytest.raises(errors.NotAllowed):
        service.handle(account, Actor(user_id="UMEMBER"), SetNoticeChannel(channel_id="C999"))


def test_the_stored_test_clock_drives_the_service_without_locking_itself_out(
    engine: Engine, catalog: Catalog
) -> None:
    sessions = make_session_factory(engine)
    clock = StoredTestClock(sessions)
    clock.start()
    clock.set(datetime(2031, 1, 31, 9, tzinfo=UTC))
    service = LicensingService(sessions, catalog, clock)
    scheduled = ScheduledWork(sessions, catalog, clock)
    key = AccountKey(team_id="TCLOCK")
    service.install(key, OWNER.user_id)
    subscribe(service, key, seats=1)
    clock.advance(timedelta(days=28))
    assert scheduled.close_next_due_period() is not None
    assert service.status(key, OWNER).subscription.period_end == datetime(
        2031, 3, 31, 9, tzinfo=UTC
    )
