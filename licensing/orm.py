"""Tables. Money is stored in minor units (integers), times as UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("team_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[str] = mapped_column(String(32), server_default="")
    time_zone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    notice_channel: Mapped[str | None] = mapped_column(String(32))
    billing_details: Mapped[str | None] = mapped_column(String(200))
    # Who invoices name, as a company admin entered them (billing_details says it in one line).
    billing_company: Mapped[str | None] = mapped_column(String(100))
    billing_email: Mapped[str | None] = mapped_column(String(254))
    billing_address: Mapped[str | None] = mapped_column(String(300))
    billing_vat_id: Mapped[str | None] = mapped_column(String(20))
    # The customer at the payment provider, and what may be shown of its default card.
    payment_customer: Mapped[str | None] = mapped_column(String(64))
    card_brand: Mapped[str | None] = mapped_column(String(16))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_expires: Mapped[str | None] = mapped_column(String(7))  # MM/YYYY
    # Days after a charge first fails on which it is tried again ("3,5,7"); NULL: the default.
    payment_retry_days: Mapped[str | None] = mapped_column(String(40))
    # How many days before a period ends its reminders (renewal, removals, trial, cancellation) go out.
    notice_lead_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        # The sweeps take the oldest due row by (due time, account), one at a time.
        Index("ix_subscriptions_due", "current_period_end", "account_id"),
        Index("ix_subscriptions_remind_at", "remind_at", "account_id"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    interval: Mapped[str] = mapped_column(String(8))
    # An interval switched during the period: it applies from the next period on.
    next_interval: Mapped[str | None] = mapped_column(String(8))
    anchor: Mapped[datetime] = mapped_column(UTCDateTime)
    period_index: Mapped[int] = mapped_column(Integer)
    current_period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    # The next moment the scheduler must act: the period end, or the trial end while trialing.
    # NULL once the subscription has ended for good.
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trial_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the current period's reminders are due; NULL once written (or when nothing is due).
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a charge's last retry failed; cleared when everything owed is paid.
    past_due_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Office(Base):
    __tablename__ = "offices"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))


class Pool(Base):
    __tablename__ = "pools"
    __table_args__ = (UniqueConstraint("office_id", "product_id"), Index(None, "account_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    product_id: Mapped[str] = mapped_column(String(40))
    purchased: Mapped[int] = mapped_column(Integer, server_default="0")
    scheduled_for_removal: Mapped[int] = mapped_column(Integer, server_default="0")
    # Kept equal to the number of assignment rows, so no request has to count them.
    assigned: Mapped[int] = mapped_column(Integer, server_default="0")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("account_id", "user_id", "product_id"),
        Index(None, "pool_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"))
    product_id: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(32))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("account_id", "user_id", "office_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    # NULL for a company admin; the office for an office admin.
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))


class Invoice(Base):
    """A financial record: it names offices and products by value, so it outlives them."""

    __tablename__ = "invoices"
    __table_args__ = (Index(None, "account_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    covers_start: Mapped[datetime] = mapped_column(UTCDateTime)
    covers_end: Mapped[datetime] = mapped_column(UTCDateTime)
    # Loaded with the invoices in one more query; a new invoice's lines are those added here.
    lines: Mapped[list[InvoiceLine]] = relationship(lazy="selectin", order_by="InvoiceLine.id")
    # Its collection, when invoices are collected through a payment provider.
    payment: Mapped[Payment | None] = relationship(lazy="selectin")


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (Index(None, "invoice_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    product_id: Mapped[str] = mapped_column(String(40))
    office_name: Mapped[str] = mapped_column(String(80))
    seats: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    """The collection of one invoice through the payment provider: the payment outbox.

    `state` is `due` (to be charged at `next_attempt_at`: the first attempt, or a retry after
    a failure), `paid`, `failed` (the retries ran out; a person may still retry) or `void`.
    `attempts` counts the charges tried; `attempt_open` is set while one is in hand, and the
    first outcome recorded for it (the charge's answer, or the provider's notification) wins.
    """

    __tablename__ = "payments"
    __table_args__ = (
        # the claim: due payments, oldest first
        Index("ix_payments_due", "state", "next_attempt_at", "id"),
        Index(None, "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    state: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    failures: Mapped[int] = mapped_column(Integer, server_default="0")
    attempt_open: Mapped[bool] = mapped_column(Boolean, server_default=false())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_invoice: Mapped[str | None] = mapped_column(String(64))
    hosted_url: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(String(300))


class PaymentEventRow(Base):
    """A provider notification acted on: the same event again is ignored."""

    __tablename__ = "payment_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """Append-only; the migration installs triggers that refuse UPDATE and DELETE."""

    __tablename__ = "ledger"
    __table_args__ = (Index(None, "account_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(32))
    office_name: Mapped[str | None] = mapped_column(String(80))
    product_id: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[str | None] = mapped_column(String(32))
    seats: Mapped[int] = mapped_column(Integer, server_default="0")
    currency: Mapped[str | None] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger, server_default="0")
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    detail: Mapped[str] = mapped_column(Text, server_default="")


class PeriodClosing(Base):
    """One row per closed (account, period): the database's guard against closing twice."""

    __tablename__ = "period_closings"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(Base):
    """A notice for an account, written in the transaction that makes it due. `key` (kind and
    period end) is unique per account: the database's guard against writing a notice twice."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    key: Mapped[str] = mapped_column(String(250))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # the facts to show, as JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NoticeDelivery(Base):
    """One message of a notice to one place: the notice channel, or a company admin's DM.

    `action` "post" posts the notice; "close" edits the message a post of it left in the same
    place (`channel`, `ts`, copied from the post) once the period the notice is about has
    closed, so that buttons which no longer apply go.
    `lane` 0 (prompt) is claimed before 1 (bulk): what a person's change wrote, and retries.
    `maybe_posted` is set before each attempt and cleared when Slack certainly did not post
    (a 429, an error answer); a delivery left with it set is looked for in the conversation
    before it is posted again, so a crash between the post and its record posts nothing twice.
    """

    __tablename__ = "notice_deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "target", "action"),
        # the claim: due deliveries, the prompt lane first, oldest first
        Index("ix_notice_deliveries_due", "state", "lane", "next_attempt_at", "id"),
        # a place's deliveries in the order written, so a claim can see those still in hand
        Index("ix_notice_deliveries_target", "target", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    target: Mapped[str] = mapped_column(String(32))  # a channel id, or a user id for a DM
    action: Mapped[str] = mapped_column(String(8), server_default="post")
    state: Mapped[str] = mapped_column(String(8))  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    maybe_posted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    lane: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(32))  # where it was posted, or edits
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(200))


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(32))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TestClockRow(Base):
    """The simulated time, shared by every process, used only when the test clock is on."""

    __tablename__ = "test_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    now: Mapped[datetime] = mapped_column(UTCDateTime)
