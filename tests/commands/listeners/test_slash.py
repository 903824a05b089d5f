"""`/license`: the text is parsed, the service asked, and the answer given in the ack itself."""

from __future__ import annotations

from unittest.mock import AsyncMock

import pytest

from commands.carried import Review, SeatEntry, read
from commands.confirm import ConfirmFlow
from commands.listeners.slash import SlashCommand
from commands.listeners.subscription import SubscriptionModals
from commands.tenancy import NotSetUp
from commands.views.status import HELP
from licensing.errors import CardNumberInText, InvalidSeatCount, NoSeatAvailable, NotAllowed
from licensing.requests import (
    Assign,
    Cancel,
    RemoveOffice,
    RenameOffice,
    Revoke,
    SetNoticeChannel,
    Subscribe,
)
from tests.commands.listeners.fakes import ADMIN, MEMBER, TEAM, Harness, acked
from tests.commands.listeners.payloads import TRIGGER, slash
from tests.commands.views.samples import CANCELING


def answer(harness: Harness, text: str) -> AsyncMock:
    """Send `/license text`; the ack it was answered with."""
    deps = harness.deps
    command = SlashCommand(deps, SubscriptionModals(deps, ConfirmFlow(deps)))
    ack = AsyncMock()
    harness.run(command.handle(ack, slash(text), harness.context, harness.client.web))
    return ack


def test_help_answers_with_the_help_text_and_changes_nothing(harness: Harness) -> None:
    ack = answer(harness, "help")

    ack.assert_awaited_once_with(response_type="ephemeral", text=HELP)
    assert harness.service.calls == []


def test_no_text_is_taken_as_help(harness: Harness) -> None:
    answer(harness, "").assert_awaited_once_with(response_type="ephemeral", text=HELP)


def test_buy_3_talk_opens_the_buy_modal_filled_with_3_and_talk(harness: Harness) -> None:
    ack = answer(harness, "buy 3 talk")

    ack.assert_awaited_once_with()
    [opened] = harness.client.made("views_open")
    assert opened["trigger_id"] == TRIGGER
    modal = harness.client.opened()
    assert read(SeatEntry, modal["private_metadata"]) == SeatEntry(action="buy")
    count, product, office = (block["element"] for block in modal["blocks"])
    assert count["initial_value"] == "3"
    assert product["initial_option"]["value"] == "talk"
    assert product["initial_option"]["text"]["text"] == "Talk"
    assert office["initial_option"]["value"] == "Main"
    assert harness.service.calls == []  # the modal asks; nothing is quoted yet


def test_channel_hands_the_notice_channel_to_the_service(harness: Harness) -> None:
    ack = answer(harness, "channel <#C0LIC|licenses>")

    [call] = harness.service.handled()
    assert call.request == SetNoticeChannel(channel_id="C0LIC")
    assert (call.account, call.actor.user_id, call.actor.workspace_admin) == (TEAM, ADMIN, True)
    ack.assert_awaited_once_with(response_type="ephemeral", text="Notices will go to <#C0LIC>.")


def test_channel_without_a_channel_says_how_to_name_one(harness: Harness) -> None:
    ack = answer(harness, "channel")

    ack.assert_awaited_once_with(
        response_type="ephemeral", text="Name the channel: `/license channel #licenses`."
    )
    assert harness.service.handled() == []


def test_assign_hands_the_assignment_and_says_who_now_holds_the_seat(harness: Harness) -> None:
    ack = answer(harness, "assign <@U2> talk")

    [call] = harness.service.handled()
    assert call.request == Assign(user_id="U2", product="talk", office="Main")
    ack.assert_awaited_once_with(
        response_type="ephemeral",
        text="<@U2> now holds a Talk seat in Main. 2 seats left.",
    )


def test_revoke_hands_the_revocation(harness: Harness) -> None:
    answer(harness, "revoke <@U2|dana> talk")

    assert [c.request for c in harness.service.handled()] == [Revoke(user_id="U2", product="talk")]


def test_assign_without_a_free_seat_answers_with_the_buy_button(harness: Harness) -> None:
    refusal = NoSeatAvailable("Talk", purchased=1, assigned=1, scheduled=0)
    harness.service.refuse(Assign, refusal)

    ack = answer(harness, "assign <@U2> talk")

    reply = acked(ack)
    assert reply["text"] == refusal.message
    [buttons] = [b for b in reply["blocks"] if b["type"] == "actions"]
    [buy] = buttons["elements"]
    assert buy["action_id"] == "open_buy"
    assert buy["value"] == '{"count":1,"product":"talk","office":"Main","assign":"U2"}'


def test_assign_to_a_deleted_user_is_refused_before_the_service_is_asked(
    harness: Harness,
) -> None:
    ack = answer(harness, "assign <@UGONE> talk")

    assert "<@UGONE> is not an active member of this workspace" in acked(ack)["text"]
    assert harness.service.handled() == []


def test_unknown_text_answers_with_the_usage_and_changes_nothing(harness: Harness) -> None:
    ack = answer(harness, "frobnicate 3")

    ack.assert_awaited_once_with(
        response_type="ephemeral",
        text="`frobnicate` is not a /license command. Try `/license help`.",
    )
    assert harness.service.calls == []


def test_a_refusal_from_the_service_becomes_the_ephemeral_text(harness: Harness) -> None:
    refusal = NotAllowed("change the notice channel", "company admins")
    harness.service.refuse(SetNoticeChannel, refusal)

    ack = answer(harness, "channel <#C0LIC>")

    ack.assert_awaited_once_with(response_type="ephemeral", text=refusal.message)


def test_a_workspace_admins_first_command_opens_the_account(harness: Harness) -> None:
    harness.service.installed.clear()

    ack = answer(harness, "status")

    assert harness.service.installs == [(TEAM, ADMIN)]
    assert acked(ack)["text"] == "License status"


def test_a_member_where_no_account_is_open_is_told_to_ask_an_admin(harness: Harness) -> None:
    harness.service.installed.clear()
    harness.as_user(MEMBER)

    ack = answer(harness, "status")

    ack.assert_awaited_once_with(response_type="ephemeral", text=NotSetUp().message)
    assert harness.service.installs == []


def test_subscription_cancel_quotes_the_cancellation_and_opens_its_review(
    harness: Harness,
) -> None:
    ack = answer(harness, "subscription cancel")

    ack.assert_awaited_once_with()
    assert [c.request for c in harness.service.quoted()] == [Cancel()]
    review = read(Review, harness.client.opened()["private_metadata"])
    assert review == Review.of(Cancel(), CANCELING, None)


def test_a_member_asking_to_subscribe_is_refused_in_the_answer(harness: Harness) -> None:
    harness.service.refuse(Subscribe, NotAllowed("subscribe", "company admins"), on="start")
    harness.as_user(MEMBER)

    ack = answer(harness, "subscription subscribe")

    ack.assert_awaited_once_with(
        response_type="ephemeral",
        text=NotAllowed("subscribe", "company admins").message,
    )
    assert harness.client.made("views_open") == []


@pytest.mark.parametrize("text", ["buy -3 talk", "buy 0", "remove 0 talk", "restore 10001"])
def test_a_count_no_request_can_take_is_refused_at_once_without_a_modal(
    harness: Harness, text: str
) -> None:
    ack = answer(harness, text)

    count = int(text.split()[1])
    ack.assert_awaited_once_with(
        response_type="ephemeral", text=InvalidSeatCount(count, 10_000).message
    )
    assert acked(ack)["text"].startswith(f"{count} is not a number of seats licensebot can take")
    assert harness.client.made("views_open") == []


def test_an_office_admins_seat_modal_chooses_their_office(harness: Harness) -> None:
    harness.service.offices = ["Main", "Berlin"]
    harness.service.default_office = "Berlin"

    answer(harness, "buy 2 talk seats")

    office = harness.client.opened()["blocks"][2]["element"]
    assert office["initial_option"]["value"] == "Berlin"
    assert harness.client.opened()["blocks"][0]["element"]["initial_value"] == "2"


def test_an_office_admins_assignment_goes_to_their_office(harness: Harness) -> None:
    harness.service.offices = ["Main", "Berlin"]
    harness.service.default_office = "Berlin"

    answer(harness, "assign <@U2> talk")

    [call] = harness.service.handled()
    assert call.request == Assign(user_id="U2", product="talk", office="Berlin")


def test_a_member_asking_who_holds_seats_is_told_and_shown_their_own(harness: Harness) -> None:
    refusal = NotAllowed("list who holds seats", "company admins and office admins")
    harness.service.users_refusal = refusal
    harness.as_user(MEMBER)

    ack = answer(harness, "users")

    ack.assert_awaited_once_with(
        response_type="ephemeral", text=f"{refusal.message}\nYour seats: Talk (Main)."
    )


def test_status_of_an_office_shows_that_office(harness: Harness) -> None:
    harness.service.offices = ["Main", "Berlin"]

    ack = answer(harness, "status berlin")

    assert acked(ack)["text"] == "License status of Berlin"
    assert harness.service.reads[-2:] == ["office_choices", "status"]


def test_timezone_without_a_zone_shows_the_current_one_and_changes_nothing(
    harness: Harness,
) -> None:
    ack = answer(harness, "timezone")

    assert acked(ack)["text"].startswith("The billing time zone is Europe/Berlin:")
    assert harness.service.handled() == []


def test_adding_an_office_without_a_name_says_how_to_name_it(harness: Harness) -> None:
    ack = answer(harness, "offices add")

    ack.assert_awaited_once_with(
        response_type="ephemeral", text="Name the office: `/license offices add Berlin`."
    )
    assert harness.service.handled() == []


def test_offices_are_renamed_and_removed_through_the_service(harness: Harness) -> None:
    harness.service.offices = ["Main", "Berlin"]

    answer(harness, "offices rename berlin to Munich")
    answer(harness, "offices remove Munich")

    assert [c.request for c in harness.service.handled()] == [
        RenameOffice(office="Berlin", new_name="Munich"),
        RemoveOffice(office="Munich"),
    ]


def test_a_misspelt_command_is_answered_with_the_one_meant(harness: Harness) -> None:
    answer(harness, "stauts").assert_awaited_once_with(
        response_type="ephemeral",
        text="`stauts` is not a /license command. Did you mean `status`?",
    )


@pytest.mark.parametrize(
    "text",
    [
        "offices add Visa 4242 4242 4242 4242",
        "subscription billing Acme Ltd, card 4242-4242-4242-4242 cvc 123",
        "buy 4242424242424242",
        "timezone 5555 5555 5555 4444",
    ],
)
def test_a_card_number_in_any_command_is_refused_before_anything_reads_it(
    harness: Harness, text: str
) -> None:
    ack = answer(harness, text)

    ack.assert_awaited_once_with(response_type="ephemeral", text=CardNumberInText().message)
    assert harness.service.calls == []
    assert harness.client.made("users_info") == []
