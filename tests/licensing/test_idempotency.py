"""The same idempotency key again returns the first result and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from licensing import errors, orm
from licensing.calendar import Interval
from licensing.requests import (
    AddOffice,
    Assign,
    Cancel,
    Purchase,
    Reactivate,
    Request,
    Restore,
    Revoke,
    ScheduleRemoval,
    Subscribe,
)
from licensing.schemas import AccountKey, PoolTarget
from licensing.service import LicensingService
from tests.conftest import OWNER, START, FakeClock
from tests.licensing.helpers import count_rows, pool_counts, subscribe


def test_the_same_key_twice_charges_once(
    service: LicensingService, account: AccountKey, clock: FakeClock, engine: Engine
) -> None:
    subscribe(service, account, seats=1)
    clock.advance(days=10)
    first = service.handle(
        account, OWNER, Purchase(count=2, product="talk"), idempotency_key="view-V1"
    )
    ledger_rows = count_rows(engine, orm.LedgerEntry)
    clock.advance(seconds=30)

    again = service.handle(
        account, OWNER, Purchase(count=2, product="talk"), idempotency_key="view-V1"
    )

    assert again == first and again.amount == Decimal("19.29")
    assert pool_counts(service, account) == (3, 0, 0)
    assert count_rows(engine, orm.Invoice) == 2  # the subscription and one purchase
    assert count_rows(engine, orm.LedgerEntry) == ledger_rows


def test_the_same_key_with_other_parameters_is_refused(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="view-V1")
    with pytest.raises(errors.IdempotencyConflict):
        service.handle(account, OWNER, Purchase(count=3, product="talk"), idempotency_key="view-V1")
    with pytest.raises(errors.IdempotencyConflict):
        service.handle(
            account, OWNER, ScheduleRemoval(count=2, product="talk"), idempotency_key="view-V1"
        )
    assert pool_counts(service, account) == (2, 0, 0)


@pytest.mark.parametrize("operation", ["remove", "restore", "cancel", "reactivate", "subscribe"])
def test_every_money_moving_operation_replays_its_first_result(
    service: LicensingService, account: AccountKey, engine: Engine, operation: str
) -> None:
    subscribe(service, account, seats=4)
    service.handle(
        account, OWNER, ScheduleRemoval(count=2, product="talk"), idempotency_key="setup-rm"
    )
    if operation == "reactivate":
        service.handle(account, OWNER, Cancel(), idempotency_key="setup-cancel")
    calls = {
        "remove": lambda: service.handle(
            account, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="K"
        ),
        "restore": lambda: service.handle(
            account, OWNER, Restore(count=1, product="talk"), idempotency_key="K"
        ),
        "cancel": lambda: service.handle(account, OWNER, Cancel(), idempotency_key="K"),
        "reactivate": lambda: service.handle(account, OWNER, Reactivate(), idempotency_key="K"),
        # the subscription made by `subscribe` above used this key: a replay, not a second charge
        "subscribe": lambda: service.handle(
            account,
            OWNER,
            Subscribe(
                interval=Interval.MONTH,
                pools=(PoolTarget(product="talk", seats=4),),
                start_now=True,
            ),
            idempotency_key="subscribe-4",
        ),
    }
    first = calls[operation]() if operation != "subscribe" else None
    rows = count_rows(engine, orm.LedgerEntry)
    second = calls[operation]()
    if first is not None:
        assert second == first
    assert count_rows(engine, orm.LedgerEntry) == rows
    assert count_rows(engine, orm.Invoice) == 1


def test_a_refused_request_stores_nothing_so_it_can_be_retried(
    service: LicensingService, account: AccountKey
) -> None:
    subscribe(service, account, seats=1)
    service.handle(account, OWNER, Assign(user_id="U1", product="talk"))
    with pytest.raises(errors.NotEnoughUnassignedSeats):
        service.handle(
            account, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="K"
        )
    service.handle(account, OWNER, Revoke(user_id="U1", product="talk"))
    retried = service.handle(
        account, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="K"
    )
    assert retried.count == 1


# The fingerprint of a key is the request's JSON.


def test_a_request_read_back_from_its_json_replays_under_its_key(
    service: LicensingService, account: AccountKey, clock: FakeClock, engine: Engine
) -> None:
    subscribe(service, account, seats=1)
    clock.advance(days=10)
    request = Purchase(count=2, product="talk", priced_at=clock.now())
    first = service.handle(account, OWNER, request, idempotency_key="view-V1")
    ledger_rows = count_rows(engine, orm.LedgerEntry)

    carried = Purchase.model_validate_json(request.model_dump_json())  # as a modal carries it
    again = service.handle(account, OWNER, carried, idempotency_key="view-V1")

    assert again == first and again.amount == Decimal("19.29")
    assert count_rows(engine, orm.Invoice) == 2  # the subscription and one purchase
    assert count_rows(engine, orm.LedgerEntry) == ledger_rows
    assert pool_counts(service, account) == (3, 0, 0)


@pytest.mark.parametrize(
    "other",
    [
        Purchase(count=3, product="talk"),
        Purchase(count=2, product="meetings"),
        Purchase(count=2, product="talk", office="Berlin"),
        Purchase(count=2, product="talk", priced_at=START),
        ScheduleRemoval(count=2, product="talk"),
        Restore(count=2, product="talk"),
    ],
    ids=["more seats", "other product", "other office", "reviewed", "removal", "restore"],
)
def test_a_key_used_for_a_purchase_is_refused_for_any_other_request(
    service: LicensingService, account: AccountKey, engine: Engine, other: Request[Any]
) -> None:
    service.handle(account, OWNER, AddOffice(name="Berlin"))
    first = service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="K")
    ledger_rows = count_rows(engine, orm.LedgerEntry)

    with pytest.raises(errors.IdempotencyConflict):
        service.handle(account, OWNER, other, idempotency_key="K")

    assert count_rows(engine, orm.LedgerEntry) == ledger_rows
    assert pool_counts(service, account) == (2, 0, 0)
    assert pool_counts(service, account, office="Berlin") == (0, 0, 0)
    assert (
        service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="K")
        == first
    )


def test_a_removal_and_a_restore_of_the_same_seats_do_not_share_a_key(
    service: LicensingService, account: AccountKey
) -> None:
    """Both answer with a SeatChange of the same fields: only the operation tells them apart."""
    subscribe(service, account, seats=4)
    service.handle(account, OWNER, ScheduleRemoval(count=2, product="talk"), idempotency_key="K")
    with pytest.raises(errors.IdempotencyConflict):
        service.handle(account, OWNER, Restore(count=2, product="talk"), idempotency_key="K")
    assert pool_counts(service, account) == (4, 2, 0)


def test_a_confirm_sent_twice_returns_the_first_result_though_its_review_is_now_stale(
    service: LicensingService, account: AccountKey, clock: FakeClock, engine: Engine
) -> None:
    """A double click on Confirm: the second one is a replay, not a new change to re-check."""
    subscribe(service, account, seats=3)
    clock.advance(days=10)
    review = service.quote(account, OWNER, Purchase(count=2, product="talk"))
    confirm = Purchase(count=2, product="talk", priced_at=review.priced_at)
    first = service.handle(account, OWNER, confirm, idempotency_key="view-V1", shown=review)
    ledger_rows = count_rows(engine, orm.LedgerEntry)

    again = service.handle(account, OWNER, confirm, idempotency_key="view-V1", shown=review)

    assert again == first and first.amount == review.amount
    assert service.quote(account, OWNER, confirm).pool_after != review.pool_after
    assert count_rows(engine, orm.LedgerEntry) == ledger_rows
    assert count_rows(engine, orm.Invoice) == 2
