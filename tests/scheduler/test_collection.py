"""The payment outbox: invoices charged once, after their transaction commits, with exactly
their amounts; failed charges retried on the schedule, then past due, then the end."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from licensing import orm
from licensing.catalog import Catalog
from licensing.collection import Dunning
from licensing.db import make_session_factory
from licensing.errors import PaymentOverdue
from licensing.model import Status
from licensing.payments import (
    BillingContact,
    Card,
    Charge,
    Collection,
    Outcome,
    PaymentEvent,
    ProviderUnavailable,
)
from licensing.requests import Assign, Purchase
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from licensing.transactions import Policy
from scheduler.collector import CollectionReport, Collector
from tests.conftest import OWNER, TEAM, FakeClock
from tests.licensing.helpers import ledger_events, subscribe

DECLINED = "Your card was declined."


class FakeProvider:
    """Charges in memory; each answer can be set to decline or to be unreachable."""

    name = "fake"

    def __init__(self) -> None:
        self.charges: list[Charge] = []
        self.answers: deque[Outcome | ProviderUnavailable] = deque()

    def collect(self, charge: Charge) -> Collection:
        answer = self.answers.popleft() if self.answers else Outcome.PAID
        if isinstance(answer, ProviderUnavailable):
            raise answer
        self.charges.append(charge)
        reason = None if answer is Outcome.PAID else DECLINED
        return Collection(
            answer, f"in_{charge.invoice_id}", f"https://pay/{charge.invoice_id}", reason
        )

    def customer(self, account_id: int, contact: BillingContact, existing: str | None) -> str:
        return existing or f"cus_{account_id}"

    def card(self, customer: str) -> Card | None:
        return Card("visa", "4242", 12, 2030)

    def card_setup_url(self, customer: str, return_url: str) -> str:
        return f"https://pay/setup/{customer}"

    def read_event(self, payload: bytes, signature: str) -> PaymentEvent | None:
        return None


@pytest.fixture
def collecting(engine: Engine, catalog: Catalog, clock: FakeClock) -> LicensingService:
    policy = Policy(dunning=Dunning())
    return LicensingService(make_session_factory(engine), catalog, clock, policy)


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def collector(
    engine: Engine, catalog: Catalog, clock: FakeClock, provider: FakeProvider
) -> Collector:
    work = ScheduledWork(make_session_factory(engine), catalog, clock, Dunning())
    return Collector(work, provider, concurrency=4, real_time=clock)


@pytest.fixture
def paying(collecting: LicensingService, engine: Engine) -> AccountKey:
    """An account with a customer at the provider and a card on file, subscribed to 5 talk
    seats (15.00 USD each, monthly) from Jan 31."""
    collecting.install(TEAM, OWNER.user_id)
    _set_customer(engine, "cus_1")
    subscribe(collecting, TEAM, seats=5)
    return TEAM


def _set_customer(engine: Engine, customer: str | None) -> None:
    with Session(engine) as session:
        session.execute(update(orm.Account).values(payment_customer=customer))
        session.commit()


def _payments(engine: Engine) -> list[orm.Payment]:
    with Session(engine) as session:
        return list(session.scalars(select(orm.Payment).order_by(orm.Payment.id)))


def _subscription(engine: Engine) -> orm.Subscription:
    with Session(engine) as session:
        return session.scalars(select(orm.Subscription)).one()


def _notices(engine: Engine, kind: str) -> list[orm.Notice]:
    with Session(engine) as session:
        return list(session.scalars(select(orm.Notice).where(orm.Notice.kind == kind)))


def test_a_subscription_is_charged_once_with_its_exact_amount(
    paying: AccountKey, collector: Collector, provider: FakeProvider, engine: Engine
) -> None:
    assert collector.collect_due() == CollectionReport(paid=1)
    assert collector.collect_due() == CollectionReport()
    [charge] = provider.charges
    assert charge.customer == "cus_1"
    assert charge.currency == "USD"
    assert [line.amount_minor for line in charge.lines] == [7500]
    assert charge.lines[0].description == "talk · Main · 5 seats"
    [payment] = _payments(engine)
    assert (payment.state, payment.attempts, payment.failures) == ("paid", 1, 0)
    assert payment.provider_invoice == f"in_{charge.invoice_id}"
    assert ledger_events(engine)[-1] == "payment_collected"


def test_a_prorated_purchase_and_the_renewal_are_each_charged(
    paying: AccountKey,
    collecting: LicensingService,
    collector: Collector,
    provider: FakeProvider,
    clock: FakeClock,
    engine: Engine,
) -> None:
    collector.collect_due()
    clock.advance(days=14)  # Feb 14 09:00 of a Jan 31 -> Feb 28 period: 14 of 28 days left
    collecting.handle(paying, OWNER, Purchase(count=2, product="talk"), idempotency_key="buy-2")
    clock.current = datetime(2026, 2, 28, 9, 0, tzinfo=clock.current.tzinfo)
    collecting.status(paying, OWNER)  # a request closes the ended period first
    assert collector.collect_due() == CollectionReport(paid=2)
    assert [c.total_minor for c in provider.charges] == [7500, 1500, 10500]


def test_no_invoices_are_collected_when_they_are_records_only(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    subscribe(service, account, seats=5)
    assert _payments(engine) == []


def test_without_a_customer_the_charge_fails_and_is_retried_three_days_later(
    collecting: LicensingService, collector: Collector, engine: Engine, clock: FakeClock
) -> None:
    collecting.install(TEAM, OWNER.user_id)
    subscribe(collecting, TEAM, seats=5)
    assert collector.collect_due() == CollectionReport(failed=1)
    [payment] = _payments(engine)
    assert payment.state == "due"
    assert payment.reason is not None and payment.reason.startswith("No card is on file")
    assert payment.next_attempt_at == clock.now() + timedelta(days=3)


def test_failures_past_the_last_retry_make_the_account_past_due_then_end_it(
    paying: AccountKey,
    collecting: LicensingService,
    collector: Collector,
    provider: FakeProvider,
    clock: FakeClock,
    engine: Engine,
) -> None:
    provider.answers.extend([Outcome.FAILED] * 4)
    start = clock.now()
    for day in (0, 3, 5, 7):
        clock.current = start + timedelta(days=day)
        assert collector.collect_due() == CollectionReport(failed=1)
        assert collector.collect_due() == CollectionReport()  # nothing more until the next retry
    [payment] = _payments(engine)
    assert (payment.state, payment.failures, payment.reason) == ("failed", 4, DECLINED)
    assert _subscription(engine).past_due_since == start + timedelta(days=7)
    assert len(_notices(engine, "payment_failed")) == 4

    with pytest.raises(PaymentOverdue, match=r"75\.00 USD is unpaid \(invoice #1\)"):
        collecting.handle(paying, OWNER, Purchase(count=1, product="talk"), idempotency_key="b")
    collecting.handle(paying, OWNER, Assign(user_id="U2", product="talk"), idempotency_key="a")

    clock.current = datetime(2026, 2, 28, 9, 0, tzinfo=start.tzinfo)
    collecting.status(paying, OWNER)
    subscription = _subscription(engine)
    assert subscription.status == Status.CANCELED
    assert "subscription_ended_unpaid" in ledger_events(engine)


def test_a_retry_that_is_paid_returns_the_account_to_good_standing(
    paying: AccountKey,
    collecting: LicensingService,
    collector: Collector,
    provider: FakeProvider,
    clock: FakeClock,
    engine: Engine,
) -> None:
    provider.answers.extend([Outcome.FAILED] * 4)
    start = clock.now()
    for day in (0, 3, 5, 7):
        clock.current = start + timedelta(days=day)
        collector.collect_due()
    with Session(engine) as session:  # a person asks for the charge again
        session.execute(update(orm.Payment).values(state="due", next_attempt_at=clock.now()))
        session.commit()
    assert collector.collect_due() == CollectionReport(paid=1)
    assert _subscription(engine).past_due_since is None
    events = ledger_events(engine)
    assert events[-2:] == ["payment_collected", "payment_standing_restored"]
    collecting.handle(paying, OWNER, Purchase(count=1, product="talk"), idempotency_key="b")


def test_an_unreachable_provider_postpones_the_charge_without_counting_it(
    paying: AccountKey,
    collector: Collector,
    provider: FakeProvider,
    clock: FakeClock,
    engine: Engine,
) -> None:
    provider.answers.append(ProviderUnavailable("connection refused"))
    assert collector.collect_due() == CollectionReport(postponed=1)
    assert collector.collect_due() == CollectionReport()  # paused for a minute
    [payment] = _payments(engine)
    assert (payment.state, payment.attempts, payment.failures) == ("due", 0, 0)
    clock.advance(minutes=1)
    assert collector.collect_due() == CollectionReport(paid=1)
    assert len(provider.charges) == 1


def test_an_accounts_invoices_are_charged_one_at_a_time_in_order(
    paying: AccountKey,
    collecting: LicensingService,
    collector: Collector,
    provider: FakeProvider,
    clock: FakeClock,
) -> None:
    provider.answers.append(Outcome.FAILED)
    collector.collect_due()
    clock.advance(days=1)
    collecting.handle(paying, OWNER, Purchase(count=1, product="talk"), idempotency_key="b")
    assert collector.collect_due() == CollectionReport()  # held back by the failed one
    clock.advance(days=2)
    assert collector.collect_due() == CollectionReport(paid=2)
    # the subscription's failed attempt, its retry, then the purchase
    assert [c.invoice_id for c in provider.charges] == [1, 1, 2]
