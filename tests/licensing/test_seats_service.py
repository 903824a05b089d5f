"""Buying, removing and restoring seats through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from licensing import errors, orm
from licensing.requests import AddOffice, Assign, Cancel, Purchase, Restore, ScheduleRemoval
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from tests.conftest import OWNER, START, FakeClock
from tests.licensing.helpers import count_rows, ledger_events, pool_counts, subscribe


def test_seats_bought_during_the_trial_are_added_at_once_and_free(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    result = service.handle(account, OWNER, Purchase(count=7, product="talk"), idempotency_key="k1")
    assert (result.restored, result.charged_seats, result.amount) == (0, 0, Decimal("0.00"))
    assert result.free_trial
    assert pool_counts(service, account) == (7, 0, 0)
    assert count_rows(engine, orm.Invoice) == 0


def test_a_purchase_mid_period_is_charged_prorated_to_the_period_end(
    service: LicensingService, account: AccountKey, clock: FakeClock, engine: Engine
) -> None:
    subscribe(service, account, seats=3)  # period Jan 31 09:00 → Feb 28 09:00, 28 days
    clock.advance(days=10)  # 18 of 28 days left

    quote = service.quote(account, OWNER, Purchase(count=2, product="talk"))
    result = service.handle(
        account, OWNER, Purchase(count=2, product="talk"), idempotency_key="buy-2"
    )

    # 2 × 15.00 × 18 / 28 = 19.2857… → 19.29
    assert quote.amount == result.amount == Decimal("19.29")
    assert result.covers_start == START + timedelta(days=10)
    assert result.covers_end == START.replace(month=2, day=28)
    assert result.pool_after.purchased == 5
    assert result.next_invoice_estimate == Decimal("75.00")
    invoice = service.invoices(account, OWNER).invoices[0]
    assert (invoice.kind, invoice.total, invoice.lines[0].seats) == (
        "purchase",
        Decimal("19.29"),
        2,
    )
    assert ledger_events(engine)[-1] == "seats_purchased"


def test_a_quote_changes_nothing(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    subscribe(service, account, seats=3)
    before = count_rows(engine, orm.LedgerEntry)
    service.quote(account, OWNER, Purchase(count=4, product="talk"))
    service.quote(account, OWNER, ScheduleRemoval(count=1, product="talk"))
    assert pool_counts(service, account) == (3, 0, 0)
    assert count_rows(engine, orm.LedgerEntry) == before


@pytest.mark.parametrize(
    ("buy", "restored", "charged", "amount"),
    [(2, 2, 0, "0.00"), (3, 3, 0, "0.00"), (5, 3, 2, "19.29")],
    ids=["restores-some", "restores-all", "restores-all-then-charges"],
)
def test_a_purchase_restores_seats_scheduled_for_removal_before_charging(
    service: LicensingService,
    account: AccountKey,
    clock: FakeClock,
    buy: int,
    restored: int,
    charged: int,
    amount: str,
) -> None:
    subscribe(service, account, seats=6)
    service.handle(account, OWNER, ScheduleRemoval(count=3, product="talk"), idempotency_key="rm-3")
    clock.advance(days=10)

    result = service.handle(
        account, OWNER, Purchase(count=buy, product="talk"), idempotency_key="buy"
    )

    assert (result.restored, result.charged_seats, result.amount) == (
        restored,
        charged,
        Decimal(amount),
    )
    assert pool_counts(service, account) == (6 + charged, 3 - restored, 0)


def test_a_purchase_with_nothing_scheduled_charges_every_seat(
    service: LicensingService, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=1)
    clock.advance(days=14)  # 14 of 28 days left
    result = service.handle(
        account, OWNER, Purchase(count=4, product="talk"), idempotency_key="buy"
    )
    assert (result.restored, result.charged_seats, result.amount) == (0, 4, Decimal("30.00"))


def test_the_reviewed_amount_is_charged_if_confirmed_within_the_quote_validity(
    service: LicensingService, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=1)
    clock.advance(days=10)
    quote = service.quote(account, OWNER, Purchase(count=2, product="talk"))
    clock.advance(minutes=10)
    result = service.handle(
        account,
        OWNER,
        Purchase(count=2, product="talk", priced_at=quote.priced_at),
        idempotency_key="k",
    )
    assert result.amount == quote.amount == Decimal("19.29")

    stale = service.quote(account, OWNER, Purchase(count=1, product="talk"))
    clock.advance(minutes=16)
    with pytest.raises(errors.QuoteExpired):
        service.handle(
            account,
            OWNER,
            Purchase(count=1, product="talk", priced_at=stale.priced_at),
            idempotency_key="k2",
        )


def test_removed_seats_stay_paid_until_the_period_end_then_leave(
    service: LicensingService, scheduled: ScheduledWork, account: AccountKey, clock: FakeClock
) -> None:
    subscribe(service, account, seats=5)
    result = service.handle(
        account, OWNER, ScheduleRemoval(count=2, product="talk"), idempotency_key="rm"
    )
    assert (result.immediate, result.takes_effect) == (False, START.replace(month=2, day=28))
    assert result.pool_after.purchased == 5 and result.pool_after.available == 3
    assert result.next_invoice_estimate == Decimal("45.00")
    assert pool_counts(service, account) == (5, 2, 0)

    clock.advance(days=28)
    [closed] = scheduled.close_due_periods(account)

    assert [(r.product_id, r.seats) for r in closed.removed] == [("talk", 2)]
    assert closed.invoice is not None and closed.invoice.total == Decimal("45.00")
    assert pool_counts(service, account) == (3, 0, 0)


def test_only_unassigned_seats_can_be_removed(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    subscribe(service, account, seats=3)
    service.handle(account, OWNER, Assign(user_id="U1", product="talk"))
    service.handle(account, OWNER, Assign(user_id="U2", product="talk"))
    events_before = ledger_events(engine)

    with pytest.raises(errors.NotEnoughUnassignedSeats) as refused:
        service.handle(
            account, OWNER, ScheduleRemoval(count=2, product="talk"), idempotency_key="rm"
        )

    assert (
        "2 are assigned" in refused.value.message and "Revoke users first" in refused.value.message
    )
    assert pool_counts(service, account) == (3, 0, 2)
    assert ledger_events(engine) == events_before


def test_seats_removed_during_the_trial_leave_at_once(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, Purchase(count=5, product="talk"), idempotency_key="buy")
    result = service.handle(
        account, OWNER, ScheduleRemoval(count=2, product="talk"), idempotency_key="rm"
    )
    assert result.immediate
    assert pool_counts(service, account) == (3, 0, 0)


def test_restoring_is_free_and_limited_to_the_seats_scheduled(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    subscribe(service, account, seats=5)
    service.handle(account, OWNER, ScheduleRemoval(count=3, product="talk"), idempotency_key="rm")
    invoices_before = count_rows(engine, orm.Invoice)

    result = service.handle(
        account, OWNER, Restore(count=2, product="talk"), idempotency_key="restore"
    )
    assert result.pool_after.scheduled_for_removal == 1
    assert result.next_invoice_estimate == Decimal("60.00")
    with pytest.raises(errors.NothingToRestore) as refused:
        service.handle(
            account, OWNER, Restore(count=2, product="talk"), idempotency_key="restore-again"
        )
    assert "Only 1 seat is scheduled" in refused.value.message
    assert pool_counts(service, account) == (5, 1, 0)
    assert count_rows(engine, orm.Invoice) == invoices_before


@pytest.mark.parametrize("count", [0, -1, 10_001])
def test_seat_counts_outside_1_to_the_maximum_are_refused(
    service: LicensingService, account: AccountKey, engine: Engine, count: int
) -> None:
    for request_type in (Purchase, ScheduleRemoval, Restore):
        request = request_type(count=count, product="talk")
        with pytest.raises(errors.InvalidSeatCount) as refused:
            service.handle(account, OWNER, request, idempotency_key=f"bad-{count}")
        assert "from 1 to 10,000" in refused.value.message
    assert ledger_events(engine) == ["trial_started"]


def test_unknown_products_and_offices_are_refused_with_the_known_names(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.UnknownProduct) as product:
        service.handle(account, OWNER, Purchase(count=1, product="fax"), idempotency_key="k")
    assert "talk, meetings, recording" in product.value.message
    with pytest.raises(errors.UnknownOffice) as office:
        service.handle(
            account, OWNER, Purchase(count=1, product="talk", office="Narnia"), idempotency_key="k"
        )
    assert "Offices: Main" in office.value.message


def test_a_misspelt_product_or_office_is_refused_with_the_name_it_is_close_to(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.UnknownProduct) as product:
        service.handle(account, OWNER, Purchase(count=1, product="tlak"), idempotency_key="k")
    assert product.value.message == (
        "There is no product called “tlak”. Choose one of: talk, meetings, recording. "
        "Did you mean talk?"
    )
    with pytest.raises(errors.UnknownOffice) as office:
        service.handle(
            account, OWNER, Purchase(count=1, product="talk", office="Mian"), idempotency_key="k"
        )
    assert office.value.message == (
        "There is no office called “Mian”. Offices: Main. Did you mean Main?"
    )


def test_products_and_offices_match_by_name_case_insensitively(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, AddOffice(name="Berlin  Office"))
    result = service.handle(
        account,
        OWNER,
        Purchase(count=2, product="TALK", office="berlin office"),
        idempotency_key="k",
    )
    assert (result.office, result.product_id) == ("Berlin Office", "talk")
    service.handle(
        account, OWNER, Purchase(count=1, product="call recording"), idempotency_key="k2"
    )
    assert pool_counts(service, account, "recording") == (1, 0, 0)


def test_buying_is_refused_while_the_subscription_is_canceling(
    service: LicensingService, account: AccountKey
) -> None:
    subscribe(service, account, seats=2)
    service.handle(account, OWNER, Cancel(), idempotency_key="cancel")
    with pytest.raises(errors.WrongSubscriptionState) as refused:
        service.handle(account, OWNER, Purchase(count=1, product="talk"), idempotency_key="k")
    assert "reactivate it first" in refused.value.message
