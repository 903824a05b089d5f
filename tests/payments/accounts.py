"""licensebot's side of the Stripe tests: an account that pays by card at localstripe, and
reading back what licensebot recorded and what Stripe holds, as a person would check them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal

import stripe
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.payments import receive_notification
from licensing import orm
from licensing.billing import Billing
from licensing.requests import SetNoticeChannel
from licensing.schemas import NoticeFacts, PaymentFacts
from licensing.service import LicensingService
from tests.conftest import OWNER, TEAM
from tests.licensing.helpers import subscribe
from tests.payments.helpers import CHECKOUT, add_card, event, invoices, lines, signed

NOTICE_CHANNEL = "CBILLING"
# The first period of a subscription started on Jan 31 at 09:00 (tests.conftest.START).
PERIOD_END = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
TALK_5 = [("Talk · Main · 5 seats", 7500)]  # 5 talk seats at 15.00 USD, a whole month


def subscribe_paying_by(
    number: str,
    collecting: LicensingService,
    card_page: Billing,
    billing: Billing,
    client: stripe.StripeClient,
    engine: Engine,
) -> str:
    """TEAM opened as its company admin would: a notice channel, the card page opened (which
    makes the Stripe customer), the card `number` saved there, Stripe's notification of it,
    then 5 talk seats subscribed from now. The first invoice, 75.00 USD, waits to be charged.
    Returns the Stripe customer."""
    collecting.install(TEAM, OWNER.user_id)
    collecting.handle(TEAM, OWNER, SetNoticeChannel(channel_id=NOTICE_CHANNEL))
    assert card_page.card_setup_link(TEAM, OWNER, "https://slack.com/app") == CHECKOUT
    customer = account(engine).payment_customer
    assert customer is not None
    add_card(client, customer, number)
    assert receive_notification(billing, *card_saved(client, customer, "evt_card_1")) == (200, "ok")
    subscribe(collecting, TEAM, seats=5)
    return customer


def card_saved(client: stripe.StripeClient, customer: str, event_id: str) -> tuple[bytes, str]:
    """Stripe's signed `customer.updated` about the customer as it is now."""
    found = client.v1.customers.retrieve(customer).to_dict()
    return signed(event("customer.updated", found, event_id=event_id))


def notify(url: str, payload: bytes, signature: str) -> tuple[int, str]:
    """POST a notification as Stripe does; the answer's status and body."""
    headers = {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": signature}
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


# what Stripe holds


def stripe_invoices(
    client: stripe.StripeClient, customer: str
) -> list[tuple[str, str, int, list[tuple[str | None, int]]]]:
    """(licensebot's invoice number, status, total in cents, lines) of each Stripe invoice, in
    licensebot's order; each one is checked to be in US dollars."""
    found = []
    for invoice in invoices(client, customer):
        assert invoice.currency == "usd"
        number = str(invoice.metadata["licensebot_invoice"]) if invoice.metadata else ""
        found.append((number, str(invoice.status), invoice.total, lines(invoice)))
    return sorted(found, key=lambda found_one: int(found_one[0] or 0))


def payment_intents(client: stripe.StripeClient, customer: str) -> list[tuple[int, str]]:
    """(amount, status) of the customer's payment intents (localstripe lists them only all)."""
    listed = client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    return sorted((i.amount, i.status) for i in listed if i.customer == customer)


# what licensebot recorded


def account(engine: Engine) -> orm.Account:
    with Session(engine) as session:
        return session.scalars(select(orm.Account)).one()


def subscription(engine: Engine) -> orm.Subscription:
    with Session(engine) as session:
        return session.scalars(select(orm.Subscription)).one()


def payments(engine: Engine) -> list[orm.Payment]:
    with Session(engine) as session:
        return list(session.scalars(select(orm.Payment).order_by(orm.Payment.invoice_id)))


def invoices_shown(collecting: LicensingService) -> list[tuple[int, Decimal, str | None]]:
    """What `/license invoices` shows a company admin: number, total and payment, oldest first."""
    shown = collecting.invoices(TEAM, OWNER).invoices
    return sorted((i.id, i.total, i.payment.state if i.payment else None) for i in shown)


def payment_notices(engine: Engine, kind: str) -> list[tuple[PaymentFacts, list[str]]]:
    """The payment facts of each notice of `kind`, oldest first, with where it goes."""
    with Session(engine) as session:
        notices = session.scalars(
            select(orm.Notice).where(orm.Notice.kind == kind).order_by(orm.Notice.id)
        ).all()
        written = []
        for notice in notices:
            facts = NoticeFacts.model_validate(json.loads(notice.payload)).payment
            assert facts is not None
            targets = session.scalars(
                select(orm.NoticeDelivery.target)
                .where(orm.NoticeDelivery.notice_id == notice.id)
                .order_by(orm.NoticeDelivery.id)
            )
            written.append((facts, list(targets)))
        return written


def events_received(engine: Engine) -> list[tuple[str, str]]:
    """The provider's notifications licensebot acted on: (event id, kind)."""
    with Session(engine) as session:
        rows = session.scalars(select(orm.PaymentEventRow).order_by(orm.PaymentEventRow.id))
        return [(row.id, row.kind) for row in rows]
