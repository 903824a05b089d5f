"""Every view licensebot builds passes slack_sdk's validation and Slack's documented limits."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from commands.carried import Review, SeatPreset
from commands.parsing.slash_text import LicenseCommand
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
from licensing.requests import Purchase
from tests.commands.views.samples import (
    ASSIGNED,
    CANCELING,
    CHANGE,
    QUOTE,
    REACTIVATED,
    STATUS,
    SUBSCRIBE,
    all_notices,
    ended,
)


def all_modals() -> list[View]:
    catalog = load_catalog()
    return [
        seats_entry_modal(
            "buy", catalog, ["Main", "Berlin"], SeatPreset(count=3, product="talk", office="Berlin")
        ),
        seats_entry_modal("remove", catalog, ["Main"], SeatPreset()),
        purchase_review_modal(
            QUOTE, Review.of(Purchase(count=3, product="talk"), QUOTE, None).dump()
        ),
        seat_change_review_modal("remove", CHANGE, "{}"),
        seat_change_review_modal("restore", CHANGE, "{}", "The figures changed."),
        done_modal("Done", purchase_done_text(QUOTE, "U1")),
        home_view(STATUS),
        people_entry_modal("assign", catalog, ["Main"], LicenseCommand(name="assign"), "C1"),
        people_entry_modal("revoke", catalog, ["Main"], LicenseCommand(name="revoke"), "C1"),
        subscribe_entry_modal(STATUS, "year"),
        subscribe_review_modal(SUBSCRIBE, "{}"),
        cancel_review_modal(CANCELING, "{}"),
        reactivate_review_modal(REACTIVATED, "{}"),
        home_view(None, "licensebot is not set up in this workspace yet."),
    ]


@pytest.mark.parametrize("modal", all_modals(), ids=lambda v: f"{v.type}-{v.callback_id}")
def test_every_modal_validates(modal: View) -> None:
    modal.validate_json()
    assert len(modal.blocks) <= 100
    assert len(modal.private_metadata or "") <= 3000


def all_messages() -> list[dict[str, Any]]:
    refusal = NoSeatAvailable("Talk", purchased=3, assigned=2, scheduled=1)
    change = ASSIGNED.model_copy(update={"also_revoked": ["Call Recording"]})
    return [
        status_message(STATUS),
        no_seat_message(refusal, "talk", "Main", "UDANA"),
        assigned_message(change),
        revoked_message(change),
        help_message(),
        *(notice_message(notice) for notice in all_notices()),
        *(notice_message(ended(notice, "renewed", 2)) for notice in all_notices()[:4]),
    ]


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m["text"][:20])
def test_every_message_validates_within_slacks_limits(message: dict[str, Any]) -> None:
    blocks = [Block.parse(b) for b in message.get("blocks", [])]
    for block in blocks:
        assert block is not None
        block.validate_json()
    assert len(blocks) <= 50
    assert len(message["text"]) <= 4000
