"""Every view licensebot builds passes slack_sdk's validation and Slack's documented limits."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from commands.parsing import LicenseCommand
from commands.views.common import done_modal
from commands.views.notices import notice_message
from commands.views.people import assigned_message, people_entry_modal, revoked_message
from commands.views.seats import (
    no_seat_message,
    purchase_done_text,
    purchase_review_modal,
    seat_change_review_modal,
    seats_entry_modal,
)
from commands.views.status import help_message, home_view, status_message
from commands.views.subscription import (
    cancel_review_modal,
    reactivate_review_modal,
    subscribe_entry_modal,
    subscribe_review_modal,
)
from licensing.catalog import load_catalog
from licensing.errors import NoSeatAvailable
from licensing.schemas import (
    AccountStatus,
    AssignmentChange,
    DataToDelete,
    HeldSeat,
    InvoiceLineView,
    InvoiceView,
    NoticeFacts,
    NoticeView,
    PeriodClosed,
    PoolSummary,
    PurchaseQuote,
    RemovalPool,
    RemovedSeats,
    SeatChange,
    SeatCounts,
    SubscribeQuote,
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
)
SUBSCRIBE = SubscribeQuote(
    interval="month",
    period_start=T0,
    period_end=T1,
    currency="USD",
    total=Decimal("45.00"),
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


def all_modals() -> list[View]:
    catalog = load_catalog()
    return [
        seats_entry_modal("buy", catalog, ["Main", "Berlin"], 3, "talk", "Berlin"),
        seats_entry_modal("remove", catalog, ["Main"], None, None, None),
        purchase_review_modal(QUOTE, "UTC", {"action": "buy"}),
        seat_change_review_modal("remove", CHANGE, "UTC", {"action": "remove"}),
        seat_change_review_modal("restore", CHANGE, "UTC", {"action": "restore"}),
        done_modal("Done", purchase_done_text(QUOTE, "U1")),
        home_view(STATUS),
        people_entry_modal("assign", catalog, ["Main"], LicenseCommand(name="assign"), "C1"),
        people_entry_modal("revoke", catalog, ["Main"], LicenseCommand(name="revoke"), "C1"),
        subscribe_entry_modal(STATUS, "year"),
        subscribe_review_modal(SUBSCRIBE, "UTC", {"action": "subscribe"}),
        cancel_review_modal(STATUS),
        reactivate_review_modal(STATUS),
        home_view(None, "licensebot is not set up in this workspace yet."),
    ]


@pytest.mark.parametrize("modal", all_modals(), ids=lambda v: f"{v.type}-{v.callback_id}")
def test_every_modal_validates(modal: View) -> None:
    modal.validate_json()
    assert len(modal.blocks) <= 100
    assert len(modal.private_metadata or "") <= 3000


def all_messages() -> list[dict[str, Any]]:
    refusal = NoSeatAvailable("Talk", purchased=3, assigned=2, scheduled=1)
    change = AssignmentChange(
        user_id="U1",
        office="Main",
        product_id="talk",
        product_name="Talk",
        also_revoked=["Call Recording"],
        pool_after=COUNTS,
    )
    return [
        status_message(STATUS),
        no_seat_message(refusal, "talk", "Main"),
        assigned_message(change),
        revoked_message(change),
        help_message(),
        *(notice_message(notice) for notice in all_notices()),
    ]


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
    ]
    return [
        NoticeView(id=n, team_id="T1", enterprise_id="", time_zone="Europe/Berlin", facts=f)
        for n, f in enumerate(facts)
    ]


def test_a_removal_notice_offers_both_buttons_for_every_pool() -> None:
    removal = notice_message(all_notices()[0])
    actions = [b for b in removal["blocks"] if b["type"] == "actions"]
    assert len(actions) == 20
    assert "…and 5 more pool(s)" in str(removal["blocks"][-1])
    assert [e["text"]["text"] for e in actions[0]["elements"]] == [
        "Restore 2 seats",
        "Choose how many…",
    ]
    assert removal["text"] == "50 seat(s) are scheduled for removal on Feb 28, 2026 10:00 CET"


def test_a_renewal_result_lists_removals_and_the_invoice_in_the_accounts_time_zone() -> None:
    renewed = str(notice_message(all_notices()[4])["blocks"])
    assert "2 talk seat(s) left Main" in renewed
    assert "Charged *45.00 USD* (invoice #7) for Feb 28, 2026 – Mar 31, 2026" in renewed


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m["text"][:20])
def test_every_message_validates_within_slacks_limits(message: dict[str, Any]) -> None:
    blocks = [Block.parse(b) for b in message.get("blocks", [])]
    for block in blocks:
        assert block is not None
        block.validate_json()
    assert len(blocks) <= 50
    assert len(message["text"]) <= 4000


def test_the_review_shows_restored_seats_the_prorated_charge_and_its_dates() -> None:
    text = str(purchase_review_modal(QUOTE, "Europe/Berlin", {}).to_dict())
    assert "1 seat(s) scheduled for removal are restored, free" in text
    assert "2 new seat(s) charged *19.29 USD* now" in text
    assert "Feb 10, 2026 10:00 CET to Feb 28, 2026 10:00 CET" in text
    assert "Next invoice estimate: *75.00 USD*" in text


def test_status_shows_what_idle_seats_cost() -> None:
    text = str(status_message(STATUS))
    assert "5 purchased · 2 assigned · 2 available · 1 scheduled for removal" in text
    assert "unassigned seats cost 30.00 USD a month" in text
    assert "Notices go to company admins by DM; reminders 3 day(s) before each period ends" in text


def test_no_seat_offers_to_buy_and_to_restore() -> None:
    refusal = NoSeatAvailable("Talk", purchased=3, assigned=2, scheduled=1)
    actions = no_seat_message(refusal, "talk", "Main")["blocks"][1]["elements"]
    assert [a["text"]["text"] for a in actions] == ["Buy 1 seat", "Restore 1 seat"]
