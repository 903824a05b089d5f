"""The assign and revoke modal: it acts on submit and tells the admin after the ack."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY, AsyncMock

import pytest

from commands import ids
from commands.carried import DamagedPayload, PeopleAction, PeopleEntry
from commands.listeners.people import PeopleModal
from commands.parsing.slash_text import LicenseCommand
from commands.views.people import people_entry_modal
from licensing.catalog import load_catalog
from licensing.errors import NoSeatAvailable, NotAllowed, NotAssigned
from licensing.requests import Assign, Revoke
from tests.commands.listeners.fakes import ADMIN, GONE, Harness, acked, as_dict
from tests.commands.listeners.payloads import people_values, submitted
from tests.commands.views.samples import ASSIGNED

ASSIGN = PeopleEntry(action="assign", channel="C0LIC").dump()
REVOKE = PeopleEntry(action="revoke", channel="C0LIC").dump()
PICK_ACTIVE = "Pick an active member of this workspace."


def submit(harness: Harness, view: dict[str, Any], ack: AsyncMock | None = None) -> AsyncMock:
    ack = ack or AsyncMock()
    harness.run(
        PeopleModal(harness.deps).submit(
            ack, harness.body, harness.context, harness.client.web, view
        )
    )
    return ack


def test_assign_hands_the_assignment_acks_and_then_tells_the_admin(harness: Harness) -> None:
    ack = harness.client.acking()

    submit(harness, submitted(ASSIGN, people_values("U2")), ack)

    [call] = harness.service.handled()
    assert call.request == Assign(user_id="U2", product="talk", office="Main")
    assert call.idempotency_key is None
    ack.assert_awaited_once_with()
    assert harness.client.made("chat_postEphemeral") == [
        {
            "channel": "C0LIC",
            "user": ADMIN,
            "text": "<@U2> now holds a Talk seat in Main. 2 seats left.",
        }
    ]
    order = harness.client.order()
    assert order.index("ack") < order.index("chat_postEphemeral")


def test_revoke_hands_the_revocation_and_names_the_add_ons_revoked_with_it(
    harness: Harness,
) -> None:
    harness.service.answer(Revoke, ASSIGNED.model_copy(update={"also_revoked": ["Call Recording"]}))

    submit(harness, submitted(REVOKE, people_values("U2", office=None)))

    assert [c.request for c in harness.service.handled()] == [Revoke(user_id="U2", product="talk")]
    [told] = harness.client.made("chat_postEphemeral")
    assert told["text"] == (
        "<@U2> no longer holds a Talk seat in Main. "
        "Also revoked: Call Recording. The seat is available again."
    )


@pytest.mark.parametrize("user", [GONE, "UBOT", "UNOBODY"])
def test_a_user_who_is_not_an_active_member_is_refused_on_the_user_field(
    harness: Harness, user: str
) -> None:
    ack = submit(harness, submitted(ASSIGN, people_values(user)))

    ack.assert_awaited_once_with(response_action="errors", errors={ids.USER_BLOCK: PICK_ACTIVE})
    assert harness.service.handled() == []
    assert harness.client.made("chat_postEphemeral") == []


def test_no_free_seat_lands_on_the_product_field(harness: Harness) -> None:
    refusal = NoSeatAvailable("Talk", purchased=1, assigned=1, scheduled=0)
    harness.service.refuse(Assign, refusal)

    ack = submit(harness, submitted(ASSIGN, people_values("U2")))

    ack.assert_awaited_once_with(
        response_action="errors", errors={ids.PRODUCT_BLOCK: refusal.message}
    )
    assert harness.client.made("chat_postEphemeral") == []


def test_revoking_a_seat_the_user_does_not_hold_lands_on_the_user_field(harness: Harness) -> None:
    refusal = NotAssigned("U2", "Talk")
    harness.service.refuse(Revoke, refusal)

    ack = submit(harness, submitted(REVOKE, people_values("U2", office=None)))

    ack.assert_awaited_once_with(response_action="errors", errors={ids.USER_BLOCK: refusal.message})


def input_blocks(action: PeopleAction) -> set[str]:
    """The block ids of the fields the modal of `action` shows."""
    modal = people_entry_modal(action, load_catalog(), ["Main"], LicenseCommand(action), "C0LIC")
    return {b["block_id"] for b in modal.to_dict()["blocks"] if b["type"] == "input"}


def test_a_member_refused_on_assign_is_told_on_the_office_field(harness: Harness) -> None:
    refusal = NotAllowed("assign seats", "company admins and admins of Main")
    harness.service.refuse(Assign, refusal)

    ack = submit(harness, submitted(ASSIGN, people_values("U2")))

    ack.assert_awaited_once_with(
        response_action="errors", errors={ids.OFFICE_BLOCK: refusal.message}
    )
    assert ids.OFFICE_BLOCK in input_blocks("assign")


def test_a_member_refused_on_revoke_is_told_on_a_field_the_revoke_modal_has(
    harness: Harness,
) -> None:
    refusal = NotAllowed("revoke seats", "company admins and admins of Main")
    harness.service.refuse(Revoke, refusal)

    ack = submit(harness, submitted(REVOKE, people_values("U2", office=None)))

    ack.assert_awaited_once_with(response_action="errors", errors=ANY)
    assert set(acked(ack)["errors"]) <= input_blocks("revoke")


@pytest.mark.parametrize(
    "metadata", ['{"action":"steal","channel":"C1"}', '{"action":"assign"}', "not json"]
)
def test_damaged_metadata_answers_out_of_date_and_changes_nothing(
    harness: Harness, metadata: str
) -> None:
    ack = submit(harness, submitted(metadata, people_values("U2")))

    ack.assert_awaited_once_with(response_action="update", view=ANY)
    view = as_dict(acked(ack)["view"])
    assert view["blocks"][0]["text"]["text"] == DamagedPayload.message
    assert harness.service.calls == []
