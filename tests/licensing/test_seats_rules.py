"""The seat rules of docs/rules.md on plain counts: `Seats`, seat counts and statuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licensing.errors import (
    InvalidSeatCount,
    NoSeatAvailable,
    NotEnoughUnassignedSeats,
    NothingToRestore,
    WrongSubscriptionState,
)
from licensing.model import PurchasePlan, Seats, Status, check_seat_count, check_status_allows

MAXIMUM = 10_000


def counts(seats: Seats) -> tuple[int, int, int, int]:
    """(purchased, scheduled for removal, assigned, available)"""
    return (seats.purchased, seats.scheduled_for_removal, seats.assigned, seats.available)


# purchase (rule 1)


def test_a_purchase_restores_scheduled_seats_before_charging_new_ones() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=3, assigned=4)
    assert pool.plan_purchase(2) == PurchasePlan(restored=2, added=0)
    assert counts(pool.buy(2)) == (10, 1, 4, 5)


def test_a_purchase_larger_than_the_scheduled_seats_restores_them_all_and_adds_the_rest() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=3, assigned=4)
    assert pool.plan_purchase(5) == PurchasePlan(restored=3, added=2)
    assert counts(pool.buy(5)) == (12, 0, 4, 8)


def test_a_purchase_exactly_the_size_of_the_scheduled_seats_adds_nothing() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=3, assigned=4)
    assert pool.plan_purchase(3) == PurchasePlan(restored=3, added=0)
    assert counts(pool.buy(3)) == (10, 0, 4, 6)


def test_a_purchase_with_nothing_scheduled_adds_every_seat() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=0, assigned=4)
    assert pool.plan_purchase(5) == PurchasePlan(restored=0, added=5)
    assert counts(pool.buy(5)) == (15, 0, 4, 11)
    assert counts(Seats().buy(7)) == (7, 0, 0, 7)


def test_a_planned_purchase_is_applied_as_planned() -> None:
    pool = Seats(purchased=4, scheduled_for_removal=1, assigned=2)
    assert counts(pool.purchase(PurchasePlan(restored=1, added=6))) == (10, 0, 2, 8)


# schedule removal and remove now (rules 2 and 6)


def test_a_scheduled_removal_keeps_the_seats_paid_until_the_period_ends() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=1, assigned=4).schedule_removal(3)
    assert counts(pool) == (10, 4, 4, 2)
    assert pool.renewing == 6


def test_every_unassigned_seat_may_be_scheduled_for_removal() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=1, assigned=4).schedule_removal(5)
    assert counts(pool) == (10, 6, 4, 0)


def test_scheduling_the_removal_of_assigned_seats_is_refused_and_says_to_revoke_first() -> None:
    pool = Seats(purchased=5, scheduled_for_removal=0, assigned=4)
    with pytest.raises(NotEnoughUnassignedSeats) as refused:
        pool.schedule_removal(2)
    assert refused.value.message == (
        "Only unassigned seats can be removed: 1 is free and 4 are assigned, "
        "so 2 cannot be removed. Revoke users first, then remove seats."
    )


def test_seats_already_scheduled_for_removal_cannot_be_scheduled_again() -> None:
    pool = Seats(purchased=5, scheduled_for_removal=3, assigned=1)
    with pytest.raises(NotEnoughUnassignedSeats, match="1 is free and 1 is assigned"):
        pool.schedule_removal(2)


def test_removing_seats_now_takes_them_out_of_the_pool_at_once() -> None:
    assert counts(Seats(purchased=10, assigned=4).remove_now(6)) == (4, 0, 4, 0)


def test_removing_assigned_seats_now_is_refused_and_says_to_revoke_first() -> None:
    with pytest.raises(NotEnoughUnassignedSeats) as refused:
        Seats(purchased=10, assigned=4).remove_now(7)
    assert "6 are free and 4 are assigned, so 7 cannot be removed" in refused.value.message
    assert "Revoke users first" in refused.value.message


# restore (rule 3)


def test_restoring_keeps_scheduled_seats_for_free() -> None:
    assert counts(Seats(purchased=10, scheduled_for_removal=3, assigned=4).restore(2)) == (
        10,
        1,
        4,
        5,
    )
    assert counts(Seats(purchased=10, scheduled_for_removal=3, assigned=4).restore(3)) == (
        10,
        0,
        4,
        6,
    )


def test_restoring_more_seats_than_are_scheduled_is_refused() -> None:
    with pytest.raises(NothingToRestore) as refused:
        Seats(purchased=10, scheduled_for_removal=2).restore(3)
    assert refused.value.message == (
        "Only 2 seats are scheduled for removal, so 3 cannot be restored. "
        "Restore at most 2, or buy new seats."
    )


def test_restoring_when_nothing_is_scheduled_is_refused_and_suggests_buying() -> None:
    with pytest.raises(NothingToRestore) as refused:
        Seats(purchased=10).restore(1)
    assert refused.value.message == (
        "No seats are scheduled for removal, so there is nothing to restore. "
        "Buy seats if you need more."
    )


# assign and release (rules 4 and 5)


def test_assigning_takes_one_available_seat() -> None:
    assert counts(Seats(purchased=3, scheduled_for_removal=1, assigned=1).assign_one("Talk")) == (
        3,
        1,
        2,
        0,
    )


def test_assigning_with_no_seat_free_suggests_restoring_a_scheduled_seat() -> None:
    pool = Seats(purchased=5, scheduled_for_removal=2, assigned=3)
    with pytest.raises(NoSeatAvailable) as refused:
        pool.assign_one("Talk")
    assert refused.value.message == (
        "No Talk seat is free: 5 purchased, 3 assigned, 2 scheduled for removal. "
        "To assign this user, restore one of the 2 seats scheduled for removal, or buy a seat."
    )
    assert (refused.value.purchased, refused.value.assigned, refused.value.scheduled) == (5, 3, 2)


def test_assigning_with_no_seat_free_and_none_scheduled_suggests_buying() -> None:
    with pytest.raises(NoSeatAvailable) as refused:
        Seats(purchased=3, assigned=3).assign_one("Meetings")
    assert refused.value.message == (
        "No Meetings seat is free: 3 purchased, 3 assigned, 0 scheduled for removal. "
        "To assign this user, buy a seat, or revoke one from someone who no longer needs it."
    )


def test_an_empty_pool_has_no_seat_to_assign() -> None:
    with pytest.raises(NoSeatAvailable, match="0 purchased, 0 assigned, 0 scheduled"):
        Seats().assign_one("Talk")


def test_releasing_a_seat_makes_it_available_again() -> None:
    assert counts(Seats(purchased=3, assigned=3).release_one()) == (3, 0, 2, 1)


# period end and conversion (rules 6 and 8)


def test_applying_removals_drops_the_scheduled_seats_and_keeps_the_assigned_ones() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=4, assigned=5)
    assert pool.renewing == 6
    assert counts(pool.apply_removals()) == (6, 0, 5, 1)


def test_applying_removals_with_nothing_scheduled_changes_nothing() -> None:
    pool = Seats(purchased=10, assigned=5)
    assert pool.apply_removals() == pool


def test_set_count_keeps_exactly_the_count_and_the_assignments() -> None:
    pool = Seats(purchased=10, scheduled_for_removal=2, assigned=3)
    assert counts(pool.set_count(4)) == (4, 0, 3, 1)
    assert counts(pool.set_count(3)) == (3, 0, 3, 0)
    assert counts(pool.set_count(25)) == (25, 0, 3, 22)
    assert counts(Seats().set_count(0)) == (0, 0, 0, 0)


# seat counts (rules 1 and 13)


@pytest.mark.parametrize("count", [1, 2, 9_999, MAXIMUM])
def test_a_seat_count_from_one_to_the_maximum_is_accepted(count: int) -> None:
    check_seat_count(count, MAXIMUM)


@pytest.mark.parametrize("count", [0, -1, -10_000, MAXIMUM + 1, 1_000_000])
def test_a_seat_count_of_zero_a_negative_or_above_the_maximum_is_refused(count: int) -> None:
    with pytest.raises(InvalidSeatCount) as refused:
        check_seat_count(count, MAXIMUM)
    assert refused.value.message == (
        f"{count} is not a number of seats licensebot can take: "
        "enter a whole number from 1 to 10,000."
    )


def test_the_maximum_seat_count_is_configurable() -> None:
    check_seat_count(50, 50)
    with pytest.raises(InvalidSeatCount, match="enter a whole number from 1 to 50"):
        check_seat_count(51, 50)


# statuses

ALLOWED = {
    Status.TRIALING: {"buy seats", "remove seats", "assign seats", "revoke seats", "subscribe"},
    Status.CONVERTING: {"buy seats", "remove seats", "assign seats", "revoke seats", "cancel"},
    Status.ACTIVE: {
        "buy seats",
        "remove seats",
        "restore seats",
        "assign seats",
        "revoke seats",
        "cancel",
    },
    Status.CANCELING: {
        "remove seats",
        "restore seats",
        "assign seats",
        "revoke seats",
        "reactivate",
    },
    Status.CANCELED: {"subscribe"},
    Status.EXPIRED: {"revoke seats", "subscribe"},
}
ACTIONS = [
    "buy seats",
    "remove seats",
    "restore seats",
    "assign seats",
    "revoke seats",
    "subscribe",
    "cancel",
    "reactivate",
]
WHY = {
    Status.TRIALING: "the account is on a free trial; subscribe to start paying",
    Status.CONVERTING: "the account is subscribed, and its first paid period starts when the "
    "free trial ends",
    Status.ACTIVE: "the subscription is active",
    Status.CANCELING: "the subscription ends at the end of this period; reactivate it first",
    Status.CANCELED: "the subscription ended and its offices, seats and roles were deleted; "
    "a company admin can start a new one with `/license subscription subscribe`",
    Status.EXPIRED: "the trial has expired; subscribe to use seats again",
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_status_allows_only_its_actions_and_says_why_the_others_are_refused(
    action: str, status: Status
) -> None:
    if action in ALLOWED[status]:
        check_status_allows(action, status)
        return
    with pytest.raises(WrongSubscriptionState) as refused:
        check_status_allows(action, status)
    assert refused.value.message == f"You cannot {action} now: {WHY[status]}."


def test_a_canceling_subscription_must_be_reactivated_before_buying() -> None:
    with pytest.raises(WrongSubscriptionState) as refused:
        check_status_allows("buy seats", Status.CANCELING)
    assert refused.value.message == (
        "You cannot buy seats now: the subscription ends at the end of this period; "
        "reactivate it first."
    )


# the invariant, for any sequence of operations

OPERATIONS = st.one_of(
    st.tuples(
        st.sampled_from(["buy", "schedule_removal", "remove_now", "restore", "set_count"]),
        st.integers(min_value=-3, max_value=40),
    ),
    st.tuples(st.sampled_from(["assign_one", "release_one", "apply_removals"]), st.just(0)),
)


def apply(pool: Seats, name: str, count: int) -> Seats:
    """One operation as the service performs it, with the checks the service makes first."""
    if name in ("buy", "schedule_removal", "remove_now", "restore"):
        check_seat_count(count, MAXIMUM)
        return getattr(pool, name)(count)  # type: ignore[no-any-return]
    if name == "set_count":
        # Conversion accepts 0 … maximum and refuses fewer seats than are assigned.
        if not 0 <= count <= MAXIMUM or count < pool.assigned:
            raise InvalidSeatCount(count, MAXIMUM)
        return pool.set_count(count)
    if name == "assign_one":
        return pool.assign_one("Talk")
    if name == "release_one":
        # A seat is revoked only from a user who holds one.
        if pool.assigned < 1:
            raise NoSeatAvailable("Talk", pool.purchased, pool.assigned, 0)
        return pool.release_one()
    return pool.apply_removals()


@given(st.lists(OPERATIONS, max_size=60))
def test_no_sequence_of_accepted_operations_oversubscribes_a_pool(
    operations: list[tuple[str, int]],
) -> None:
    pool = Seats()
    for name, count in operations:
        before = pool
        try:
            pool = apply(pool, name, count)
        except (
            InvalidSeatCount,
            NotEnoughUnassignedSeats,
            NothingToRestore,
            NoSeatAvailable,
        ):
            continue
        assert pool.available >= 0
        assert 0 <= pool.assigned <= pool.purchased - pool.scheduled_for_removal
        assert 0 <= pool.scheduled_for_removal <= pool.purchased
        if name == "buy":
            # restored + added = count, and the restored ones come out of the scheduled ones
            restored = before.scheduled_for_removal - pool.scheduled_for_removal
            added = pool.purchased - before.purchased
            assert (restored, added) == (min(count, before.scheduled_for_removal), count - restored)
