"""The billing rules of docs/rules.md, as plain values and functions of `now`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from licensing.calendar import Period, ProrationMode, remaining_fraction
from licensing.errors import (
    InvalidSeatCount,
    NoSeatAvailable,
    NotEnoughUnassignedSeats,
    NothingToRestore,
    WrongSubscriptionState,
)
from licensing.money import Money


class Status(StrEnum):
    TRIALING = "trialing"
    CONVERTING = "converting"  # still on the free trial, subscribed: paid from its end
    ACTIVE = "active"
    CANCELING = "canceling"
    CANCELED = "canceled"
    EXPIRED = "expired"


# Seats are added and removed at once and free while the free trial lasts.
FREE_TRIAL = frozenset({Status.TRIALING, Status.CONVERTING})


class RoleName(StrEnum):
    COMPANY_ADMIN = "company_admin"
    OFFICE_ADMIN = "office_admin"


def check_seat_count(count: int, maximum: int) -> None:
    if not 1 <= count <= maximum:
        raise InvalidSeatCount(count, maximum)


@dataclass(frozen=True)
class PurchasePlan:
    """How a purchase of `restored + added` seats splits: restored ones are free."""

    restored: int
    added: int


@dataclass(frozen=True)
class Seats:
    """The counts of one pool."""

    purchased: int = 0
    scheduled_for_removal: int = 0
    assigned: int = 0

    @property
    def available(self) -> int:
        return self.purchased - self.scheduled_for_removal - self.assigned

    @property
    def renewing(self) -> int:
        """The seats that stay into the next period and are charged for it."""
        return self.purchased - self.scheduled_for_removal

    def plan_purchase(self, count: int) -> PurchasePlan:
        restored = min(count, self.scheduled_for_removal)
        return PurchasePlan(restored=restored, added=count - restored)

    def purchase(self, plan: PurchasePlan) -> Seats:
        return replace(
            self,
            purchased=self.purchased + plan.added,
            scheduled_for_removal=self.scheduled_for_removal - plan.restored,
        )

    def buy(self, count: int) -> Seats:
        return self.purchase(self.plan_purchase(count))

    def schedule_removal(self, count: int) -> Seats:
        if count > self.available:
            raise NotEnoughUnassignedSeats(count, self.available, self.assigned)
        return replace(self, scheduled_for_removal=self.scheduled_for_removal + count)

    def remove_now(self, count: int) -> Seats:
        """During a trial, seats leave at once."""
        if count > self.available:
            raise NotEnoughUnassignedSeats(count, self.available, self.assigned)
        return replace(self, purchased=self.purchased - count)

    def restore(self, count: int) -> Seats:
        if count > self.scheduled_for_removal:
            raise NothingToRestore(count, self.scheduled_for_removal)
        return replace(self, scheduled_for_removal=self.scheduled_for_removal - count)

    def assign_one(self, product_name: str) -> Seats:
        if self.available < 1:
            raise NoSeatAvailable(
                product_name, self.purchased, self.assigned, self.scheduled_for_removal
            )
        return replace(self, assigned=self.assigned + 1)

    def release_one(self) -> Seats:
        return replace(self, assigned=self.assigned - 1)

    def apply_removals(self) -> Seats:
        return replace(self, purchased=self.renewing, scheduled_for_removal=0)

    def set_count(self, count: int) -> Seats:
        """Trial-to-paid conversion: the pool keeps exactly `count` seats."""
        return Seats(purchased=count, scheduled_for_removal=0, assigned=self.assigned)


def prorated_charge(
    unit_price: Decimal,
    seats: int,
    period: Period,
    now: datetime,
    mode: ProrationMode,
    tz: ZoneInfo,
    currency: str,
) -> Money:
    """`unit price × seats × remaining / period length`, rounded once, half up."""
    share = remaining_fraction(period, now, mode, tz)
    return Money.rounded(Fraction(unit_price) * seats * share, currency)


def full_charge(unit_price: Decimal, seats: int, currency: str) -> Money:
    return Money.rounded(unit_price * seats, currency)


_ALLOWED: dict[str, frozenset[Status]] = {
    "buy seats": FREE_TRIAL | {Status.ACTIVE},
    "remove seats": FREE_TRIAL | {Status.ACTIVE, Status.CANCELING},
    "restore seats": frozenset({Status.ACTIVE, Status.CANCELING}),
    "assign seats": FREE_TRIAL | {Status.ACTIVE, Status.CANCELING},
    # After an expired trial, revoking lets an admin bring assignments down before subscribing.
    "revoke seats": FREE_TRIAL | {Status.ACTIVE, Status.CANCELING, Status.EXPIRED},
    # After a cancellation has ended, a company admin starts again with a new paid
    # subscription; there is no second free trial.
    "subscribe": frozenset({Status.TRIALING, Status.EXPIRED, Status.CANCELED}),
    "cancel": frozenset({Status.ACTIVE, Status.CONVERTING}),
    "change the billing interval": frozenset({Status.ACTIVE, Status.CONVERTING}),
    "reactivate": frozenset({Status.CANCELING}),
}

_WHY: dict[Status, str] = {
    Status.TRIALING: "the account is on a free trial; subscribe to start paying",
    Status.CONVERTING: "the account is subscribed, and its first paid period starts when the "
    "free trial ends",
    Status.ACTIVE: "the subscription is active",
    Status.CANCELING: "the subscription ends at the end of this period; reactivate it first",
    Status.CANCELED: "the subscription ended and its offices, seats and roles were deleted; "
    "a company admin can start a new one with `/license subscription subscribe`",
    Status.EXPIRED: "the trial has expired; subscribe to use seats again",
}


def check_status_allows(action: str, status: Status) -> None:
    if status not in _ALLOWED[action]:
        raise WrongSubscriptionState(f"You cannot {action} now: {_WHY[status]}.")
