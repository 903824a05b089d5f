"""Read models for the view tests: one of each kind a view renders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from licensing.model import Status
from licensing.schemas import (
    AccountStatus,
    AssignmentChange,
    DataToDelete,
    HeldSeat,
    InvoiceLineView,
    InvoiceView,
    NoticeFacts,
    NoticeView,
    PaymentFacts,
    PeriodClosed,
    PoolSummary,
    PurchaseQuote,
    RemovalPool,
    RemovedSeats,
    RoleView,
    SeatChange,
    SeatCounts,
    SubscribeQuote,
    SubscriptionChange,
    SubscriptionSummary,
)

T0 = datetime(2026, 2, 10, 9, tzinfo=UTC)


T1 = datetime(2026, 2, 28, 9, tzinfo=UTC)


COUNTS = SeatCounts(purchased=5, scheduled_for_removal=1, assigned=2, available=2)


QUOTE = PurchaseQuote(
    office="Main",
    product_id="talk",
    product_name="Talk",
    requested=3,
    restored=1,
    charged_seats=2,
    amount=Decimal("19.29"),
    currency="USD",
    covers_start=T0,
    covers_end=T1,
    priced_at=T0,
    free_trial=False,
    pool_after=COUNTS,
    next_invoice_estimate=Decimal("75.00"),
    time_zone="UTC",
    period_start=datetime(2026, 1, 31, 9, tzinfo=UTC),
)


CHANGE = SeatChange(
    office="Main",
    product_id="talk",
    product_name="Talk",
    count=1,
    takes_effect=T1,
    immediate=False,
    pool_after=COUNTS,
    next_invoice_estimate=Decimal("60.00"),
    currency="USD",
    time_zone="UTC",
)


ASSIGNED = AssignmentChange(
    user_id="U2",
    office="Main",
    product_id="talk",
    product_name="Talk",
    also_revoked=[],
    pool_after=COUNTS,
)


ROLE = RoleView(user_id="U2", role="company_admin", office=None)


CANCELING = SubscriptionChange(
    status=Status.CANCELING,
    ends_at=T1,
    next_invoice_estimate=Decimal(0),
    currency="USD",
    time_zone="UTC",
)


REACTIVATED = CANCELING.model_copy(
    update={"status": Status.ACTIVE, "next_invoice_estimate": Decimal("75.00")}
)


SUBSCRIBE = SubscribeQuote(
    interval="month",
    period_start=T0,
    period_end=T1,
    currency="USD",
    total=Decimal("45.00"),
    time_zone="UTC",
    lines=[
        InvoiceLineView(
            product_id="talk",
            office="Main",
            seats=3,
            unit_price=Decimal("15.00"),
            amount=Decimal("45.00"),
        )
    ],
)


STATUS = AccountStatus(
    team_id="T1",
    currency="USD",
    subscription=SubscriptionSummary(
        status="active",
        interval="month",
        period_start=T0,
        period_end=T1,
        trial_end=None,
        time_zone="Europe/Berlin",
    ),
    offices=["Main"],
    pools=[
        PoolSummary(
            office="Main",
            product_id="talk",
            product_name="Talk",
            seats=COUNTS,
            unit_price=Decimal("15.00"),
            idle_cost=Decimal("30.00"),
        )
    ],
    next_invoice_estimate=Decimal("60.00"),
    your_seats=[HeldSeat(office="Main", product_id="talk", product_name="Talk")],
    notice_channel=None,
    notice_lead_days=3,
    is_company_admin=True,
    admin_of_offices=[],
)


# A charge of invoice #7 that failed once (retried Mar 3), after every retry, and paid.
PAYMENT_FAILED = PaymentFacts(
    invoice_id=7,
    amount=Decimal("45.00"),
    state="due",
    failures=1,
    reason="Your card was declined.",
    next_attempt_at=datetime(2026, 3, 3, 9, tzinfo=UTC),
    hosted_url="https://pay.example/in_7",
)
PAST_DUE = PAYMENT_FAILED.model_copy(
    update={"state": "failed", "failures": 4, "next_attempt_at": None, "subscription_ends_at": T1}
)
PAID = PAYMENT_FAILED.model_copy(
    update={"state": "paid", "reason": None, "next_attempt_at": None, "card": "visa ending 4242"}
)


def all_notices() -> list[NoticeView]:
    line = InvoiceLineView(
        product_id="talk",
        office="Main",
        seats=3,
        unit_price=Decimal("15.00"),
        amount=Decimal("45.00"),
    )
    invoice = InvoiceView(
        id=7,
        kind="renewal",
        created_at=T1,
        currency="USD",
        total=Decimal("45.00"),
        covers_start=T1,
        covers_end=datetime(2026, 3, 31, 9, tzinfo=UTC),
        lines=[line],
    )
    removals = [
        RemovalPool(
            office=f"Office {n}", product_id="talk", product_name="Talk", seats=2, purchased=5
        )
        for n in range(25)  # more pools than a message can hold buttons for
    ]
    base = {"period_end": T1, "interval": "month", "currency": "USD"}
    facts = [
        NoticeFacts(kind="removal_scheduled", removals=removals, **base),
        NoticeFacts(kind="renewal_coming", lines=[line], total=Decimal("45.00"), **base),
        NoticeFacts(kind="trial_ending", lines=[line], total=Decimal("45.00"), **base),
        NoticeFacts(
            kind="cancellation_coming",
            to_delete=DataToDelete(offices=["Main"], seats=5, assigned=2, admins=1),
            **base,
        ),
        *(
            NoticeFacts(
                kind="period_ended",
                closed=PeriodClosed(
                    team_id="T1",
                    enterprise_id="",
                    period_end=T1,
                    outcome=outcome,
                    removed=[RemovedSeats(office="Main", product_id="talk", seats=2)],
                    invoice=invoice if outcome == "renewed" else None,
                ),
                **base,
            )
            for outcome in ("renewed", "canceled", "expired")
        ),
        NoticeFacts(
            kind="renewal_changed",
            lines=[line],
            total=Decimal("45.00"),
            previous_total=Decimal("30.00"),
            **base,
        ),
        NoticeFacts(kind="payment_failed", payment=PAYMENT_FAILED, **base),
        NoticeFacts(kind="payment_failed", payment=PAST_DUE, **base),
        NoticeFacts(kind="payment_received", payment=PAID, **base),
        NoticeFacts(
            kind="period_ended",
            closed=PeriodClosed(
                team_id="T1",
                enterprise_id="",
                period_end=T1,
                outcome="ended_unpaid",
                removed=[],
                invoice=None,
            ),
            **base,
        ),
    ]
    return [
        NoticeView(id=n, team_id="T1", enterprise_id="", time_zone="Europe/Berlin", facts=f)
        for n, f in enumerate(facts)
    ]


def ended(notice: NoticeView, outcome: str, removed: int = 0) -> NoticeView:
    """The notice once its period closed with `outcome`, `removed` Talk seats leaving Main."""
    left = [RemovedSeats(office="Main", product_id="talk", product_name="Talk", seats=removed)]
    closed = PeriodClosed(
        team_id="T1",
        enterprise_id="",
        period_end=notice.facts.period_end,
        outcome=outcome,
        removed=left if removed else [],
        invoice=None,
    )
    return notice.model_copy(update={"facts": notice.facts.model_copy(update={"ended": closed})})
