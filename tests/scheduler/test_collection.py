"""The payment outbox: invoices charged once, after their transaction commits, with exactly
their amounts; failed charges retried on the schedule, then past due, then the end."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from licensing import orm
from licensing.errors import InvalidRetryDays, PaymentOverdue, PaymentsNotCollected
from licensing.model import Status
from licensing.payments import (
    Outcome,
    ProviderUnavailable,
)
from licensing.requests import Assign, Purchase, RetryPayment, SetRetryDays
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from scheduler.collector import CollectionReport, Collector
from tests.conftest import OWNER, FakeClock
from tests.licensing.fake_provider import DECLINED, FakeProvider
from tests.licensing.helpers import ledger_events, subscribe


def _fail_every_retry(collector: Collector, provider: FakeProvider, clock: FakeClock) -> None:
    """The first charge and its retries on days 3, 5 and 7 all declined, one at a time."""
    provider.answers.extend([Outcome.FAILED] * 4)
    start = clock.now()
    for day in (0, 3, 5, 7):
        clock.current = start + timedelta(days=day)
        assert collector.collect_due() == CollectionReport(failed=1)
        assert collector.collect_due() == CollectionReport()  # nothing more until the next retry


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
    assert charge.lines[0].description == "Talk · Main · 5 seats"
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
    paying: AccountKey, collector: Collector, engine: Engine, clock: FakeClock
) -> None:
    with Session(engine) as session:  # e.g. the account's customer was deleted at the provider
        session.execute(update(orm.Account).values(payment_customer=None))
        session.commit()
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
    start = clock.now()
    _fail_every_retry(collector, provider, clock)
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
    _fail_every_retry(collector, provider, clock)
    collecting.handle(paying, OWNER, RetryPayment(invoice=1), idempotency_key="retry")
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


def test_once_paid_the_failure_notices_already_posted_lose_their_buttons(
    paying: AccountKey, collector: Collector, provider: FakeProvider, engine: Engine
) -> None:
    provider.answers.append(Outcome.FAILED)
    collector.collect_due()
    with Session(engine) as session:  # the failure notice reached the company admin's DM
        session.execute(
            update(orm.NoticeDelivery).values(state="sent", channel="D0OWNER", ts="1.000100")
        )
        session.commit()
    with Session(engine) as session:
        session.execute(update(orm.Payment).values(next_attempt_at=orm.Payment.first_failed_at))
        session.commit()
    assert collector.collect_due() == CollectionReport(paid=1)
    [failure] = _notices(engine, "payment_failed")
    with Session(engine) as session:
        closes = session.scalars(
            select(orm.NoticeDelivery).where(
                orm.NoticeDelivery.notice_id == failure.id, orm.NoticeDelivery.action == "close"
            )
        ).all()
        assert [(c.target, c.channel, c.ts, c.state) for c in closes] == [
            ("UOWNER", "D0OWNER", "1.000100", "pending")
        ]
    assert '"state":"paid"' in failure.payload


def test_an_account_sets_its_own_retry_days(
    paying: AccountKey,
    collecting: LicensingService,
    collector: Collector,
    provider: FakeProvider,
    clock: FakeClock,
    engine: Engine,
) -> None:
    collecting.handle(paying, OWNER, SetRetryDays(days=(2, 4)))
    provider.answers.extend([Outcome.FAILED] * 3)
    start = clock.now()
    collector.collect_due()
    assert _payments(engine)[0].next_attempt_at == start + timedelta(days=2)
    for day in (2, 4):
        clock.current = start + timedelta(days=day)
        assert collector.collect_due() == CollectionReport(failed=1)
    [payment] = _payments(engine)
    assert (payment.state, payment.failures) == ("failed", 3)
    assert _subscription(engine).past_due_since == start + timedelta(days=4)
    billing = collecting.status(paying, OWNER).billing
    assert billing is not None and billing.retry_days == [2, 4]


@pytest.mark.parametrize("days", [(), (0, 3), (3, 3), (5, 3), (1, 2, 3, 4, 5, 6), (3, 61)], ids=str)
def test_retry_days_that_make_no_schedule_are_refused_and_change_nothing(
    paying: AccountKey, collecting: LicensingService, days: tuple[int, ...]
) -> None:
    with pytest.raises(InvalidRetryDays, match="Give 1 to 5 days"):
        collecting.handle(paying, OWNER, SetRetryDays(days=days))
    billing = collecting.status(paying, OWNER).billing
    assert billing is not None and billing.retry_days == [3, 5, 7]


def test_retry_days_are_refused_where_invoices_are_records_only(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(PaymentsNotCollected):
        service.handle(account, OWNER, SetRetryDays(days=(3,)))
