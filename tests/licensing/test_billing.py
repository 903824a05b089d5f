"""The provider's notifications, each acted on once, in any order; the card setup link."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from licensing import orm
from licensing.billing import Billing
from licensing.catalog import Catalog
from licensing.collection import Dunning
from licensing.db import make_session_factory
from licensing.errors import NotAllowed, NothingToRetry
from licensing.payments import EventKind, Outcome, PaymentEvent
from licensing.requests import RetryPayment
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from scheduler.collector import CollectionReport, Collector
from tests.conftest import OWNER, FakeClock
from tests.licensing.fake_provider import FakeProvider
from tests.licensing.helpers import ledger_events, member


@pytest.fixture
def billing(engine: Engine, catalog: Catalog, clock: FakeClock, provider: FakeProvider) -> Billing:
    return Billing(make_session_factory(engine), catalog, clock, provider, Dunning())


def _payment(engine: Engine) -> orm.Payment:
    with Session(engine) as session:
        return session.scalars(select(orm.Payment)).one()


def test_a_paid_notification_marks_the_invoice_paid_once(
    paying: AccountKey, billing: Billing, engine: Engine
) -> None:
    paid = PaymentEvent("evt_1", EventKind.INVOICE_PAID, "cus_1", 1, "in_1", "https://pay/1")
    assert billing.apply(paid) is True
    assert billing.apply(paid) is False  # the same event again
    payment = _payment(engine)
    assert (payment.state, payment.provider_invoice, payment.hosted_url) == (
        "paid",
        "in_1",
        "https://pay/1",
    )
    assert ledger_events(engine).count("payment_collected") == 1


def test_a_failure_arriving_after_the_payment_changes_nothing(
    paying: AccountKey, billing: Billing, engine: Engine
) -> None:
    billing.apply(PaymentEvent("evt_2", EventKind.INVOICE_PAID, "cus_1", 1))
    billing.apply(PaymentEvent("evt_1", EventKind.INVOICE_FAILED, "cus_1", 1, reason="declined"))
    payment = _payment(engine)
    assert (payment.state, payment.failures) == ("paid", 0)


def test_a_failure_counts_once_whether_the_charge_or_the_notification_says_it_first(
    paying: AccountKey,
    billing: Billing,
    collector: Collector,
    provider: FakeProvider,
    engine: Engine,
) -> None:
    provider.answers.append(Outcome.FAILED)
    assert collector.collect_due() == CollectionReport(failed=1)
    failed = PaymentEvent("evt_1", EventKind.INVOICE_FAILED, "cus_1", 1, reason="declined")
    assert billing.apply(failed) is True  # acted on: nothing left to do for it
    assert _payment(engine).failures == 1
    assert ledger_events(engine).count("payment_failed") == 1


def test_a_new_card_is_shown_and_a_failed_charge_is_tried_again_at_once(
    paying: AccountKey,
    billing: Billing,
    collector: Collector,
    provider: FakeProvider,
    clock: FakeClock,
    engine: Engine,
) -> None:
    provider.answers.append(Outcome.FAILED)
    collector.collect_due()
    clock.advance(hours=1)
    assert billing.apply(PaymentEvent("evt_1", EventKind.CARD_CHANGED, "cus_1")) is True
    with Session(engine) as session:
        account = session.scalars(select(orm.Account)).one()
        assert (account.card_brand, account.card_last4, account.card_expires) == (
            "visa",
            "4242",
            "12/2030",
        )
    assert collector.collect_due() == CollectionReport(paid=1)
    assert "card_updated" in ledger_events(engine)


def test_notifications_about_unknown_invoices_or_customers_are_ignored(
    paying: AccountKey, billing: Billing
) -> None:
    assert billing.apply(PaymentEvent("evt_1", EventKind.INVOICE_PAID, "cus_1", 999)) is False
    assert billing.apply(PaymentEvent("evt_2", EventKind.CARD_CHANGED, "cus_other")) is False


def test_a_notification_about_another_customers_invoice_changes_nothing(
    paying: AccountKey, billing: Billing, engine: Engine
) -> None:
    # Another licensebot on the same provider account numbers its invoices from 1 too.
    elsewhere = PaymentEvent("evt_1", EventKind.INVOICE_PAID, "cus_elsewhere", 1, "in_9")
    assert billing.apply(elsewhere) is False
    failed = PaymentEvent("evt_2", EventKind.INVOICE_FAILED, None, 1, "in_9", reason="declined")
    assert billing.apply(failed) is False
    payment = _payment(engine)
    assert (payment.state, payment.provider_invoice) == ("due", None)
    assert "payment_collected" not in ledger_events(engine)


def test_the_card_setup_link_is_for_company_admins_and_makes_the_customer_once(
    account: AccountKey, billing: Billing, engine: Engine
) -> None:
    with pytest.raises(NotAllowed):
        billing.card_setup_link(account, member("U2"), "https://slack.com")
    first = billing.card_setup_link(account, OWNER, "https://slack.com")
    second = billing.card_setup_link(account, OWNER, "https://slack.com")
    assert first == second == "https://pay/setup/cus_1"
    assert ledger_events(engine).count("payment_customer_created") == 1


def test_a_company_admin_retries_a_failed_charge_at_once(
    paying: AccountKey,
    collecting: LicensingService,
    collector: Collector,
    provider: FakeProvider,
    engine: Engine,
) -> None:
    provider.answers.append(Outcome.FAILED)
    collector.collect_due()
    with pytest.raises(NotAllowed):
        collecting.handle(paying, member("U2"), RetryPayment(invoice=1), idempotency_key="r0")
    retried = collecting.handle(paying, OWNER, RetryPayment(invoice=1), idempotency_key="r1")
    assert (retried.state, retried.failures, retried.amount) == ("due", 1, Decimal("75.00"))
    assert collector.collect_due() == CollectionReport(paid=1)
    with pytest.raises(NothingToRetry, match="Invoice #1 is not waiting to be paid"):
        collecting.handle(paying, OWNER, RetryPayment(invoice=1), idempotency_key="r2")


def test_status_shows_a_company_admin_what_is_owed(
    paying: AccountKey,
    collecting: LicensingService,
    collector: Collector,
    provider: FakeProvider,
    billing: Billing,
) -> None:
    provider.answers.append(Outcome.FAILED)
    collector.collect_due()
    billing.apply(PaymentEvent("evt_1", EventKind.CARD_CHANGED, "cus_1"))
    standing = collecting.status(paying, OWNER).billing
    assert standing is not None
    assert standing.card == "visa ending 4242, expires 12/2030"
    assert standing.owed == Decimal("75.00")
    assert [p.invoice_id for p in standing.unpaid] == [1]
    assert collecting.status(paying, member("U2")).billing is None
    [invoice] = collecting.invoices(paying, OWNER).invoices
    assert invoice.payment is not None and invoice.payment.state == "due"
