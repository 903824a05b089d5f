"""A hypothesis state machine that drives the real LicensingService on the real database.

Every step is one request an admin (or the scheduler) could make: buy, remove, restore,
assign, revoke, billing details, subscribe, cancel, reactivate, time passing followed by the
period-end run, and a request repeated with an idempotency key already used. A small model of
docs/rules.md predicts each outcome: which requests are refused, the counts, the amounts.
After every step the database itself is read back and checked against the model and against
the invariants that must hold whatever happened:

- in every pool 0 ≤ scheduled, assigned ≤ purchased − scheduled (available ≥ 0), and
  `pool.assigned` equals the number of assignment rows of the pool;
- the ledger's amounts add up to the invoices' totals, invoice by invoice, and an invoice's
  lines add up to its total; no ledger row outside an invoice moves money;
- each (account, period end) is closed at most once and no two renewal invoices cover the
  same period;
- a refused request changes nothing at all, and a repeated idempotency key returns the first
  result and changes nothing at all.

Each example runs on a fresh account (a new team id) in the test's database, so examples on
one database never see each other's rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any, NamedTuple

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, func, select

from licensing import orm
from licensing.calendar import Interval
from licensing.catalog import load_catalog
from licensing.db import make_session_factory
from licensing.errors import IdempotencyConflict, LicensingError
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
    SetBillingDetails,
    Subscribe,
)
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Actor, PeriodClosed, PoolTarget, SeatCounts
from licensing.service import LicensingService
from licensing.transactions import Policy
from tests.conftest import OWNER, START, FakeClock

MAX_SEATS = 10_000
TRIAL_DAYS = 14
QUOTE_VALIDITY = timedelta(minutes=15)

USERS = ["U1", "U2", "U3", "U4", "U5", "U6"]
PRODUCTS = ["talk", "recording", "meetings"]
OFFICES = ["Main", "Branch"]
ADDON_OF = {"recording": "talk"}  # add-on -> the license it needs
NAMES = {"talk": "Talk", "recording": "Call Recording", "meetings": "Meetings"}
# The shipped catalog's prices (USD), written out so the model does not read the code under test.
PRICES = {
    "talk": {"month": Fraction("15.00"), "year": Fraction("150.00")},
    "meetings": {"month": Fraction("20.00"), "year": Fraction("200.00")},
    "recording": {"month": Fraction("5.00"), "year": Fraction("50.00")},
}
REQUESTS = ["purchase", "remove", "restore", "assign", "revoke", "billing", "subscribe"]
REQUESTS += ["cancel", "reactivate"]
MONEY_MOVING = {"purchase", "remove", "restore", "subscribe", "cancel", "reactivate"}  # operations

counts = st.integers(min_value=1, max_value=5)  # `bad_input` tries 0, negatives, too many
QUOTED_AGO = [None, None, 0, 300, 1200]  # seconds since the review step; None: no review step
CARD_NUMBER = "4242 4242 4242 4242"  # refused: card details are never taken
billing_details = st.sampled_from(["Visa ending 4242", "ACME Inc., 1 Main St", "   ", CARD_NUMBER])
offices = st.sampled_from([None, *OFFICES])  # None is the Main office
products = st.sampled_from(PRODUCTS)
users = st.sampled_from(USERS)
pool_keys = st.tuples(st.sampled_from(OFFICES), products)
intervals = st.sampled_from([Interval.MONTH, Interval.YEAR])


def status_in(*statuses: str) -> Any:
    return lambda machine: machine.model.status in statuses


def half_up_cents(amount: Fraction) -> int:
    assert amount >= 0
    return floor(amount * 100 + Fraction(1, 2))


def dollars(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


def micros(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


class Snapshot(NamedTuple):
    """Everything of one account the database holds, to prove that a request changed nothing."""

    pools: tuple[tuple[Any, ...], ...]
    assignments: tuple[tuple[Any, ...], ...]
    ledger_rows: int
    ledger_minor: int
    invoices: int
    invoice_minor: int
    idempotency_keys: int
    closings: int
    subscription: tuple[Any, ...]
    account: tuple[Any, ...]
    offices: tuple[tuple[Any, ...], ...]
    roles: tuple[tuple[Any, ...], ...]


@dataclass
class Model:
    """What docs/rules.md say the account looks like."""

    status: str = "trialing"
    interval: str = "month"
    anchor: datetime = START
    index: int = 0
    period_start: datetime = START
    period_end: datetime | None = START + timedelta(days=TRIAL_DAYS)
    billing: bool = False
    company_admin: bool = True
    offices: list[str] = field(default_factory=lambda: list(OFFICES))
    # (office, product) -> [purchased, scheduled_for_removal]
    pools: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # (user, product) -> office
    holders: dict[tuple[str, str], str] = field(default_factory=dict)
    closings: int = 0
    renewal_starts: list[datetime] = field(default_factory=list)

    def pool(self, office: str, product: str) -> list[int]:
        return self.pools.setdefault((office, product), [0, 0])

    def assigned(self, office: str, product: str) -> int:
        return sum(1 for (_, p), o in self.holders.items() if (o, p) == (office, product))

    def counts(self, office: str, product: str) -> SeatCounts:
        purchased, scheduled = self.pools.get((office, product), [0, 0])
        assigned = self.assigned(office, product)
        return SeatCounts(
            purchased=purchased,
            scheduled_for_removal=scheduled,
            assigned=assigned,
            available=purchased - scheduled - assigned,
        )

    def available(self, office: str, product: str) -> int:
        return self.counts(office, product).available

    def renewal_lines(self, interval: str | None = None) -> list[tuple[str, str, int, Decimal]]:
        """(office, product, seats, amount) of the next period's charge, sorted."""
        lines = []
        for (office, product), (purchased, scheduled) in sorted(self.pools.items()):
            renewing = purchased - scheduled
            if renewing:
                price = PRICES[product][interval or self.interval]
                lines.append((office, product, renewing, dollars(half_up_cents(price * renewing))))
        return lines

    def estimate(self) -> Decimal:
        if self.status in ("canceling", "canceled"):
            return Decimal(0)
        return sum((line[3] for line in self.renewal_lines()), Decimal(0))

    def prorated_minor(self, product: str, seats: int, at: datetime) -> int:
        assert self.period_end is not None
        at = min(max(at, self.period_start), self.period_end)
        share = Fraction(micros(self.period_end - at), micros(self.period_end - self.period_start))
        return half_up_cents(PRICES[product][self.interval] * seats * share)

    def boundary(self, k: int) -> datetime:
        """`anchor + k intervals`, clamped to the month's last day (rule 10), in UTC."""
        step = relativedelta(months=k) if self.interval == "month" else relativedelta(years=k)
        return (self.anchor.astimezone(UTC) + step).astimezone(UTC)


def invoice_lines_of(lines: list[Any]) -> list[tuple[str, str, int, Decimal]]:
    return sorted((line.office, line.product_id, line.seats, line.amount) for line in lines)


class LicensingMachine(RuleBasedStateMachine):
    """Set `engine` on a subclass; each example opens a new account on that database."""

    engine: Engine

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        sessions, catalog = make_session_factory(self.engine), load_catalog()
        self.service = LicensingService(
            sessions,
            catalog,
            self.clock,
            Policy(max_seats=MAX_SEATS, trial_days=TRIAL_DAYS, quote_validity=QUOTE_VALIDITY),
        )
        self.scheduled = ScheduledWork(sessions, catalog, self.clock)
        self.team = AccountKey(team_id=f"T{uuid.uuid4().hex[:16]}")
        self.service.install(self.team, OWNER.user_id)
        self.service.handle(self.team, OWNER, AddOffice(name="Branch"))
        with self.engine.connect() as conn:
            self.account_id: int = conn.execute(
                select(orm.Account.id).where(orm.Account.team_id == self.team.team_id)
            ).scalar_one()
        self.model = Model()
        self.keys = 0
        # Successful money-moving requests: (request, its idempotency key, result).
        self.done: list[tuple[Request[Any], str, Any]] = []

    # plumbing

    def new_key(self) -> str:
        self.keys += 1
        return f"{self.team.team_id}-k{self.keys}"

    def snapshot(self) -> Snapshot:
        aid = self.account_id
        with self.engine.connect() as conn:

            def rows(query: Any) -> tuple[tuple[Any, ...], ...]:
                return tuple(sorted(tuple(row) for row in conn.execute(query)))

            ledger = conn.execute(
                select(
                    func.count(), func.coalesce(func.sum(orm.LedgerEntry.amount_minor), 0)
                ).where(orm.LedgerEntry.account_id == aid)
            ).one()
            invoices = conn.execute(
                select(func.count(), func.coalesce(func.sum(orm.Invoice.total_minor), 0)).where(
                    orm.Invoice.account_id == aid
                )
            ).one()
            subscription = conn.execute(
                select(
                    orm.Subscription.status,
                    orm.Subscription.interval,
                    orm.Subscription.anchor,
                    orm.Subscription.period_index,
                    orm.Subscription.current_period_start,
                    orm.Subscription.current_period_end,
                    orm.Subscription.trial_end,
                ).where(orm.Subscription.account_id == aid)
            ).one()
            account = conn.execute(
                select(
                    orm.Account.billing_details, orm.Account.notice_channel, orm.Account.time_zone
                ).where(orm.Account.id == aid)
            ).one()
            return Snapshot(
                pools=rows(
                    select(
                        orm.Pool.id,
                        orm.Pool.office_id,
                        orm.Pool.product_id,
                        orm.Pool.purchased,
                        orm.Pool.scheduled_for_removal,
                        orm.Pool.assigned,
                    ).where(orm.Pool.account_id == aid)
                ),
                assignments=rows(
                    select(
                        orm.Assignment.pool_id, orm.Assignment.user_id, orm.Assignment.product_id
                    ).where(orm.Assignment.account_id == aid)
                ),
                ledger_rows=int(ledger[0]),
                ledger_minor=int(ledger[1]),
                invoices=int(invoices[0]),
                invoice_minor=int(invoices[1]),
                idempotency_keys=conn.execute(
                    select(func.count())
                    .select_from(orm.IdempotencyRecord)
                    .where(orm.IdempotencyRecord.account_id == aid)
                ).scalar_one(),
                closings=conn.execute(
                    select(func.count())
                    .select_from(orm.PeriodClosing)
                    .where(orm.PeriodClosing.account_id == aid)
                ).scalar_one(),
                subscription=tuple(subscription),
                account=tuple(account),
                offices=rows(
                    select(orm.Office.id, orm.Office.name).where(orm.Office.account_id == aid)
                ),
                roles=rows(
                    select(orm.Role.user_id, orm.Role.role, orm.Role.office_id).where(
                        orm.Role.account_id == aid
                    )
                ),
            )

    def call(
        self,
        request: Request[Any],
        key: str | None = None,
        *,
        ok: bool,
        actor: Actor = OWNER,
        refusal: type[LicensingError] = LicensingError,
    ) -> tuple[Any, Snapshot]:
        """Make a request the model expects to succeed (`ok`) or to be refused; money-moving
        requests come with an idempotency key."""
        assert (key is not None) == (request.operation in MONEY_MOVING), request
        before = self.snapshot()
        if not ok:
            with pytest.raises(refusal):
                self.service.handle(self.team, actor, request, idempotency_key=key)
            assert self.snapshot() == before, f"a refused {request!r} changed data"
            return None, before
        result = self.service.handle(self.team, actor, request, idempotency_key=key)
        after = self.snapshot()
        assert after.ledger_rows > before.ledger_rows, f"{request!r} left no ledger row"
        if key is not None:
            assert after.idempotency_keys == before.idempotency_keys + 1
            self.done.append((request, key, result))
        return result, before

    def check_money(self, before: Snapshot, charged_minor: int, invoices: int) -> None:
        after = self.snapshot()
        assert after.invoices - before.invoices == invoices
        assert after.invoice_minor - before.invoice_minor == charged_minor
        assert after.ledger_minor - before.ledger_minor == charged_minor

    def managed(self, office: str | None) -> str | None:
        """The office's name if it exists and OWNER may act in it."""
        name = office or "Main"
        return name if self.model.company_admin and name in self.model.offices else None

    # Rules. The seat rules run when some request of theirs can succeed and then draw their
    # target three times in four from where it can (pools with free or scheduled seats,
    # seats held), otherwise blindly; `out_of_turn` and `bad_input` make requests in any
    # state. So successes and refusals both come up often.

    def aimed(self, data: st.DataObject, likely: list[Any], blind: Any, label: str) -> Any:
        if likely and data.draw(st.integers(min_value=0, max_value=3), label="blind") < 3:
            return data.draw(st.sampled_from(likely), label=label)
        return data.draw(blind, label=label)

    @initialize(
        seats=st.lists(
            st.tuples(products, st.sampled_from(OFFICES), st.integers(min_value=1, max_value=4)),
            max_size=5,
        ),
        people=st.integers(min_value=0, max_value=4),
        paid=st.sampled_from([Interval.MONTH, None, Interval.MONTH, Interval.YEAR]),
        leaving=st.integers(min_value=0, max_value=3),
    )
    def open_with_seats(
        self, seats: list[tuple[str, str, int]], people: int, paid: Interval | None, leaving: int
    ) -> None:
        """A trial with some seats, some of them assigned, perhaps converted at once and
        with up to `leaving` seats of each pool scheduled for removal."""
        for product, office, n in seats:
            self.do_purchase(n, product, office, None)
        free = [
            (user, product, office)
            for office, product in sorted(self.model.pools, key=lambda k: (k[1] == "recording", k))
            for user in USERS
        ]
        for user, product, office in free:
            if people and self.assign_would_succeed(user, product, office):
                self.do_assign(user, product, office)
                people -= 1
        if paid is not None:
            self.set_billing_details("Visa ending 4242")
            self.subscribe(paid, [])
            for office, product in self.removable():
                n = min(leaving, self.model.available(office, product))
                if n:
                    self.do_schedule_removal(n, product, office)

    def removable(self) -> list[tuple[str, str]]:
        m = self.model
        if m.status not in ("trialing", "active", "canceling"):
            return []
        return [key for key in sorted(m.pools) if m.available(*key)]

    def restorable(self) -> list[tuple[str, str]]:
        m = self.model
        if m.status not in ("active", "canceling"):
            return []
        return [key for key, (_, scheduled) in sorted(m.pools.items()) if scheduled]

    def assignable(self) -> list[tuple[str, str, str]]:
        return [
            (user, product, office)
            for office, product in sorted(self.model.pools)
            for user in USERS
            if self.assign_would_succeed(user, product, office)
        ]

    def assign_would_succeed(self, user: str, product: str, office: str) -> bool:
        m, required = self.model, ADDON_OF.get(product)
        return (
            m.status in ("trialing", "active", "canceling")
            and (user, product) not in m.holders
            and (required is None or (user, required) in m.holders)
            and m.available(office, product) >= 1
        )

    @staticmethod
    def seat_counts(limit: int) -> st.SearchStrategy[int]:
        """Mostly 1..limit (allowed), sometimes 0 or just past the limit (refused)."""
        return st.integers(min_value=0, max_value=3).flatmap(
            lambda blind: (
                st.integers(min_value=1, max_value=limit)
                if limit and blind < 3
                else st.sampled_from([0, limit + 1])
            )
        )

    @precondition(status_in("trialing", "active"))
    @rule(n=counts, product=products, office=offices, quoted_ago=st.sampled_from(QUOTED_AGO))
    def purchase(self, n: int, product: str, office: str | None, quoted_ago: int | None) -> None:
        self.do_purchase(n, product, office, quoted_ago)

    @precondition(lambda self: self.removable())
    @rule(data=st.data())
    def schedule_removal(self, data: st.DataObject) -> None:
        likely = self.removable()
        office, product = self.aimed(data, likely, pool_keys, "pool")
        n = data.draw(self.seat_counts(self.model.available(office, product)), label="seats")
        self.do_schedule_removal(n, product, office)

    @precondition(lambda self: self.restorable())
    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        likely = self.restorable()
        office, product = self.aimed(data, likely, pool_keys, "pool")
        scheduled = self.model.pools.get((office, product), [0, 0])[1]
        n = data.draw(self.seat_counts(scheduled), label="seats")
        self.do_restore(n, product, office)

    @precondition(lambda self: self.assignable())
    @rule(data=st.data())
    def assign(self, data: st.DataObject) -> None:
        likely = self.assignable()
        blind = st.tuples(users, products, offices)
        user, product, office = self.aimed(data, likely, blind, "assignment")
        self.do_assign(user, product, office)

    @precondition(lambda self: self.model.holders)
    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        likely = sorted(self.model.holders)
        user, product = self.aimed(data, likely, st.tuples(users, products), "holder")
        self.do_revoke(user, product)

    # what each request must do (rules 1-6)

    def do_purchase(self, n: int, product: str, office: str | None, quoted_ago: int | None) -> None:
        m, now = self.model, self.clock.current
        name = self.managed(office)
        priced_at = None if quoted_ago is None else now - timedelta(seconds=quoted_ago)
        at = priced_at or now
        ok = (
            (priced_at is None or (now - QUOTE_VALIDITY <= at <= now and at >= m.period_start))
            and 1 <= n <= MAX_SEATS
            and name is not None
            and m.status in ("trialing", "active")
        )
        request = Purchase(count=n, product=product, office=office, priced_at=priced_at)
        result, before = self.call(request, self.new_key(), ok=ok)
        if not ok:
            return
        assert name is not None
        trial = m.status == "trialing"
        pool = m.pool(name, product)
        restored = min(n, pool[1])
        added = n - restored
        amount = 0 if trial else m.prorated_minor(product, added, at)
        pool[0] += added
        pool[1] -= restored
        assert (result.office, result.product_id, result.requested) == (name, product, n)
        assert (result.restored, result.charged_seats, result.free_trial) == (
            restored,
            0 if trial else added,
            trial,
        )
        assert result.amount == dollars(amount)
        assert result.covers_end == m.period_end
        assert result.pool_after == m.counts(name, product)
        assert result.next_invoice_estimate == m.estimate()
        charged = not trial and added > 0
        assert (result.invoice_id is not None) == charged
        self.check_money(before, amount, 1 if charged else 0)

    def do_schedule_removal(self, n: int, product: str, office: str | None) -> None:
        m = self.model
        name = self.managed(office)
        ok = (
            1 <= n <= MAX_SEATS
            and name is not None
            and m.status in ("trialing", "active", "canceling")
            and n <= m.available(name, product)
        )
        request = ScheduleRemoval(count=n, product=product, office=office)
        result, before = self.call(request, self.new_key(), ok=ok)
        if not ok:
            return
        assert name is not None
        immediate = m.status == "trialing"
        pool = m.pool(name, product)
        if immediate:
            pool[0] -= n
        else:
            pool[1] += n
        assert result.immediate is immediate
        assert result.count == n
        assert result.takes_effect == (self.clock.current if immediate else m.period_end)
        assert result.pool_after == m.counts(name, product)
        assert result.next_invoice_estimate == m.estimate()
        self.check_money(before, 0, 0)

    def do_restore(self, n: int, product: str, office: str | None) -> None:
        m = self.model
        name = self.managed(office)
        ok = (
            1 <= n <= MAX_SEATS
            and name is not None
            and m.status in ("active", "canceling")
            and n <= m.pools.get((name, product), [0, 0])[1]
        )
        request = Restore(count=n, product=product, office=office)
        result, before = self.call(request, self.new_key(), ok=ok)
        if not ok:
            return
        assert name is not None
        m.pool(name, product)[1] -= n
        assert result.count == n
        assert result.pool_after == m.counts(name, product)
        assert result.next_invoice_estimate == m.estimate()
        self.check_money(before, 0, 0)

    # people (rules 4-5)

    def do_assign(self, user: str, product: str, office: str | None) -> None:
        m = self.model
        name = self.managed(office)
        required = ADDON_OF.get(product)
        ok = (
            name is not None
            and m.status in ("trialing", "active", "canceling")
            and (user, product) not in m.holders
            and (required is None or (user, required) in m.holders)
            and m.available(name, product) >= 1
        )
        result, before = self.call(Assign(user_id=user, product=product, office=office), ok=ok)
        if not ok:
            return
        assert name is not None
        m.holders[(user, product)] = name
        assert (result.user_id, result.office, result.product_id) == (user, name, product)
        assert result.also_revoked == []
        assert result.pool_after == m.counts(name, product)
        assert self.snapshot().ledger_rows == before.ledger_rows + 1
        self.check_money(before, 0, 0)

    def do_revoke(self, user: str, product: str) -> None:
        m = self.model
        office = m.holders.get((user, product))
        ok = (
            office is not None
            and m.company_admin
            and m.status in ("trialing", "active", "canceling", "expired")
        )
        result, before = self.call(Revoke(user_id=user, product=product), ok=ok)
        if not ok:
            return
        assert office is not None
        dependents = [a for a, lic in ADDON_OF.items() if lic == product and (user, a) in m.holders]
        for held in [*dependents, product]:
            del m.holders[(user, held)]
        assert (result.user_id, result.office, result.product_id) == (user, office, product)
        assert result.also_revoked == [NAMES[a] for a in dependents]
        assert result.pool_after == m.counts(office, product)
        assert self.snapshot().ledger_rows == before.ledger_rows + 1 + len(dependents)
        self.check_money(before, 0, 0)

    # subscription (rules 6-7)

    @precondition(status_in("trialing", "expired"))
    @rule(details=billing_details)
    def set_billing_details(self, details: str) -> None:
        ok = self.model.company_admin and details != CARD_NUMBER
        _, before = self.call(SetBillingDetails(details=details), ok=ok)
        if ok:
            self.model.billing = bool(details.strip())
            self.check_money(before, 0, 0)

    @precondition(status_in("trialing", "expired"))
    @rule(
        interval=intervals,
        wanted=st.lists(
            st.tuples(products, st.sampled_from(OFFICES), st.integers(min_value=-1, max_value=3)),
            max_size=3,
        ),
    )
    def subscribe(self, interval: Interval, wanted: list[tuple[str, str, int]]) -> None:
        m, now = self.model, self.clock.current
        pool_targets = [
            PoolTarget(product=product, office=office, seats=m.assigned(office, product) + extra)
            for product, office, extra in wanted
        ]
        ok = (
            m.company_admin
            and m.status in ("trialing", "expired")
            and all(
                0 <= t.seats <= MAX_SEATS and t.seats >= m.assigned(str(t.office), t.product)
                for t in pool_targets
            )
            and m.billing
        )
        request = Subscribe(interval=interval, pools=tuple(pool_targets), start_now=True)
        result, before = self.call(request, self.new_key(), ok=ok)
        if not ok:
            return
        for t in pool_targets:
            m.pools[(str(t.office), t.product)] = [t.seats, 0]
        m.status, m.interval, m.anchor, m.index = "active", str(interval), now, 0
        m.period_start, m.period_end = now, m.boundary(1)
        lines = m.renewal_lines()
        total = sum((line[3] for line in lines), Decimal(0))
        assert (result.interval, result.period_start, result.period_end) == (
            interval,
            m.period_start,
            m.period_end,
        )
        assert invoice_lines_of(result.lines) == lines
        assert result.total == total
        assert result.invoice_id is not None
        self.check_money(before, int(total * 100), 1)

    @precondition(status_in("active"))
    @rule()
    def cancel(self) -> None:
        m = self.model
        ok = m.company_admin and m.status == "active"
        result, before = self.call(Cancel(), self.new_key(), ok=ok)
        if not ok:
            return
        m.status = "canceling"
        assert (result.status, result.ends_at) == ("canceling", m.period_end)
        assert result.next_invoice_estimate == 0
        self.check_money(before, 0, 0)

    @precondition(status_in("canceling"))
    @rule()
    def reactivate(self) -> None:
        m = self.model
        ok = m.company_admin and m.status == "canceling"
        result, before = self.call(Reactivate(), self.new_key(), ok=ok)
        if not ok:
            return
        m.status = "active"
        assert (result.status, result.ends_at) == ("active", m.period_end)
        assert result.next_invoice_estimate == m.estimate()
        self.check_money(before, 0, 0)

    # requests whatever the state: the rules above only run where they may succeed

    @rule(
        request=st.sampled_from(REQUESTS),
        n=counts,
        where=st.tuples(users, products, offices),
        interval=intervals,
    )
    def out_of_turn(
        self, request: str, n: int, where: tuple[str, str, str | None], interval: Interval
    ) -> None:
        user, product, office = where
        if request == "purchase":
            self.do_purchase(n, product, office, None)
        elif request == "remove":
            self.do_schedule_removal(n, product, office)
        elif request == "restore":
            self.do_restore(n, product, office)
        elif request == "assign":
            self.do_assign(user, product, office)
        elif request == "revoke":
            self.do_revoke(user, product)
        elif request == "billing":
            self.set_billing_details("Visa ending 4242")
        elif request == "subscribe":
            self.subscribe(interval, [(product, office or "Main", n)])
        else:
            getattr(self, request)()

    # bad input (rule 13): refused, nothing changes

    @rule(
        case=st.sampled_from(
            ["count 0", "count -3", "too many", "no product", "no office", "member", "assign fax"]
        ),
        request_type=st.sampled_from([Purchase, ScheduleRemoval, Restore]),
    )
    def bad_input(
        self, case: str, request_type: type[Purchase | ScheduleRemoval | Restore]
    ) -> None:
        kwargs: dict[str, Any] = {"count": 1, "product": "talk", "office": None}
        actor = OWNER
        if case == "count 0":
            kwargs["count"] = 0
        elif case == "count -3":
            kwargs["count"] = -3
        elif case == "too many":
            kwargs["count"] = MAX_SEATS + 1
        elif case == "no product":
            kwargs["product"] = "fax"
        elif case == "no office":
            kwargs["office"] = "Annex"
        elif case == "member":
            actor = Actor(user_id="UMEMBER")
        else:  # a product that is not in the catalog
            self.call(Assign(user_id="U1", product="fax", office=None), ok=False)
            return
        self.call(request_type(**kwargs), self.new_key(), ok=False, actor=actor)

    # idempotency (rule 12)

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data())
    def repeat_a_key(self, data: st.DataObject) -> None:
        request, key, first = data.draw(st.sampled_from(self.done), label="repeated call")
        before = self.snapshot()
        again = self.service.handle(self.team, OWNER, request, idempotency_key=key)
        assert again == first
        assert self.snapshot() == before, f"repeating {request!r} with its key changed data"

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data())
    def reuse_a_key_for_another_request(self, data: st.DataObject) -> None:
        request, key, _ = data.draw(st.sampled_from(self.done), label="key reused")
        other: Request[Any]
        if isinstance(request, Purchase | ScheduleRemoval | Restore):
            other = request.model_copy(update={"count": request.count + 1})
        elif isinstance(request, Subscribe):
            interval = Interval.YEAR if request.interval == Interval.MONTH else Interval.MONTH
            other = request.model_copy(update={"interval": interval})
        else:
            other = Reactivate() if isinstance(request, Cancel) else Cancel()
        self.call(other, key, ok=False, refusal=IdempotencyConflict)

    # time (rules 7-8, 10)

    @rule(
        hours=st.one_of(
            st.integers(min_value=1, max_value=72),
            st.integers(min_value=3, max_value=40).map(lambda days: days * 24),
        )
    )
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        self.close_due_periods()

    @precondition(lambda self: self.model.period_end is not None)
    @rule(offset=st.sampled_from([-1, 0, 1]))
    def time_reaches_the_period_end(self, offset: int) -> None:
        assert self.model.period_end is not None
        self.clock.current = max(
            self.clock.current, self.model.period_end + timedelta(seconds=offset)
        )
        self.close_due_periods()

    def close_due_periods(self) -> None:
        before = self.snapshot()
        closed = self.scheduled.close_due_periods(self.team)
        expected_minor, expected_invoices = 0, 0
        for result in closed:
            minor, invoices = self.expect_closed(result)
            expected_minor += minor
            expected_invoices += invoices
        m = self.model
        assert m.period_end is None or m.period_end > self.clock.current, "a due period was left"
        self.check_money(before, expected_minor, expected_invoices)
        # The scheduler running again right away finds nothing to do and charges nothing.
        again = self.snapshot()
        assert self.scheduled.close_due_periods(self.team) == []
        assert self.snapshot() == again

    def expect_closed(self, result: PeriodClosed) -> tuple[int, int]:
        """Check one closed period against the model, and move the model on."""
        m = self.model
        assert m.period_end is not None and m.period_end <= self.clock.current
        assert (result.team_id, result.period_end) == (self.team.team_id, m.period_end)
        m.closings += 1
        if m.status == "trialing":
            assert (result.outcome, result.removed, result.invoice) == ("expired", [], None)
            m.status, m.period_end = "expired", None
            return 0, 0
        if m.status == "canceling":
            assert (result.outcome, result.removed, result.invoice) == ("canceled", [], None)
            m.status, m.period_end = "canceled", None
            m.offices, m.pools, m.holders = [], {}, {}
            m.billing = m.company_admin = False
            return 0, 0
        assert m.status == "active"
        removed = []
        for (office, product), pool in sorted(m.pools.items()):
            if pool[1]:
                removed.append((office, product, pool[1]))
                pool[0] -= pool[1]
                pool[1] = 0
        m.index += 1
        m.period_start, m.period_end = m.boundary(m.index), m.boundary(m.index + 1)
        assert result.outcome == "renewed"
        assert sorted((r.office, r.product_id, r.seats) for r in result.removed) == removed
        lines = m.renewal_lines()
        if not lines:
            assert result.invoice is None
            return 0, 0
        assert result.invoice is not None
        total = sum((line[3] for line in lines), Decimal(0))
        invoice = result.invoice
        assert (invoice.kind, invoice.covers_start, invoice.covers_end, invoice.total) == (
            "renewal",
            m.period_start,
            m.period_end,
            total,
        )
        assert invoice_lines_of(invoice.lines) == lines
        m.renewal_starts.append(m.period_start)
        return int(total * 100), 1

    # invariants, read from the database

    @invariant()
    def pools_never_overbooked(self) -> None:
        with self.engine.connect() as conn:
            pools = conn.execute(
                select(orm.Pool).where(orm.Pool.account_id == self.account_id)
            ).all()
            holders = dict(
                conn.execute(
                    select(orm.Assignment.pool_id, func.count())
                    .where(orm.Assignment.account_id == self.account_id)
                    .group_by(orm.Assignment.pool_id)
                ).all()
            )
        for pool in pools:
            assert pool.purchased >= 0 and pool.scheduled_for_removal >= 0 and pool.assigned >= 0
            assert pool.assigned <= pool.purchased - pool.scheduled_for_removal, pool
            assert pool.assigned == holders.get(pool.id, 0), pool
        assert set(holders) <= {pool.id for pool in pools}

    @invariant()
    def ledger_reconciles_with_invoices(self) -> None:
        aid = self.account_id
        with self.engine.connect() as conn:
            invoices = dict(
                conn.execute(
                    select(orm.Invoice.id, orm.Invoice.total_minor).where(
                        orm.Invoice.account_id == aid
                    )
                ).all()
            )
            by_ledger = dict(
                conn.execute(
                    select(
                        orm.LedgerEntry.invoice_id,
                        func.coalesce(func.sum(orm.LedgerEntry.amount_minor), 0),
                    )
                    .where(orm.LedgerEntry.account_id == aid)
                    .group_by(orm.LedgerEntry.invoice_id)
                ).all()
            )
            by_lines = dict(
                conn.execute(
                    select(orm.InvoiceLine.invoice_id, func.sum(orm.InvoiceLine.amount_minor))
                    .join(orm.Invoice, orm.Invoice.id == orm.InvoiceLine.invoice_id)
                    .where(orm.Invoice.account_id == aid)
                    .group_by(orm.InvoiceLine.invoice_id)
                ).all()
            )
            ledger_total = conn.execute(
                select(func.coalesce(func.sum(orm.LedgerEntry.amount_minor), 0)).where(
                    orm.LedgerEntry.account_id == aid
                )
            ).scalar_one()
        assert ledger_total == sum(invoices.values())
        assert by_ledger.pop(None, 0) == 0, "money moved outside an invoice"
        assert set(by_ledger) <= set(invoices)
        for invoice_id, total in invoices.items():
            assert by_ledger.get(invoice_id, 0) == total, f"invoice {invoice_id}: ledger ≠ total"
            assert by_lines.get(invoice_id, 0) == total, f"invoice {invoice_id}: lines ≠ total"

    @invariant()
    def each_period_closed_once(self) -> None:
        aid = self.account_id
        with self.engine.connect() as conn:
            duplicate_closings = conn.execute(
                select(orm.PeriodClosing.period_end, func.count())
                .where(orm.PeriodClosing.account_id == aid)
                .group_by(orm.PeriodClosing.period_end)
                .having(func.count() > 1)
            ).all()
            closings = conn.execute(
                select(func.count())
                .select_from(orm.PeriodClosing)
                .where(orm.PeriodClosing.account_id == aid)
            ).scalar_one()
            renewal_starts = (
                conn.execute(
                    select(orm.Invoice.covers_start)
                    .where(orm.Invoice.account_id == aid, orm.Invoice.kind == "renewal")
                    .order_by(orm.Invoice.id)
                )
                .scalars()
                .all()
            )
        assert duplicate_closings == []
        assert closings == self.model.closings
        assert len(set(renewal_starts)) == len(renewal_starts), "a period was charged twice"
        assert [s.astimezone(UTC) for s in renewal_starts] == self.model.renewal_starts

    @invariant()
    def database_matches_the_model(self) -> None:
        m, aid = self.model, self.account_id
        with self.engine.connect() as conn:
            pools = {
                (office, product): [purchased, scheduled]
                for office, product, purchased, scheduled in conn.execute(
                    select(
                        orm.Office.name,
                        orm.Pool.product_id,
                        orm.Pool.purchased,
                        orm.Pool.scheduled_for_removal,
                    )
                    .join(orm.Office, orm.Office.id == orm.Pool.office_id)
                    .where(orm.Pool.account_id == aid)
                )
                if purchased or scheduled
            }
            holders = {
                (user, product): office
                for user, product, office in conn.execute(
                    select(orm.Assignment.user_id, orm.Assignment.product_id, orm.Office.name)
                    .join(orm.Pool, orm.Pool.id == orm.Assignment.pool_id)
                    .join(orm.Office, orm.Office.id == orm.Pool.office_id)
                    .where(orm.Assignment.account_id == aid)
                )
            }
            status, end, billing = conn.execute(
                select(
                    orm.Subscription.status,
                    orm.Subscription.current_period_end,
                    orm.Account.billing_details,
                )
                .join(orm.Account, orm.Account.id == orm.Subscription.account_id)
                .where(orm.Subscription.account_id == aid)
            ).one()
        assert pools == {k: v for k, v in m.pools.items() if v != [0, 0]}
        assert holders == m.holders
        assert (status, end, billing is not None) == (m.status, m.period_end, m.billing)


def test_any_sequence_of_requests_keeps_seats_and_money_consistent(engine: Engine) -> None:
    sqlite = engine.dialect.name == "sqlite"
    machine = type("Machine", (LicensingMachine,), {"engine": engine})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25 if sqlite else 10,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


def test_subscribing_without_seats_is_recorded_in_the_ledger(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    """docs/rules.md, Words: the ledger records every change, also a subscription with nothing to charge."""
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(orm.LedgerEntry)).scalar_one()
    result = service.handle(
        account,
        OWNER,
        Subscribe(interval=Interval.MONTH, start_now=True),
        idempotency_key="subscribe",
    )
    assert (result.lines, result.total) == ([], Decimal(0))
    assert service.status(account, OWNER).subscription.status == "active"
    with engine.connect() as conn:
        events = (
            conn.execute(select(orm.LedgerEntry.event).order_by(orm.LedgerEntry.id).offset(before))
            .scalars()
            .all()
        )
    assert events, "the subscription started without a ledger row"
