"""What people type into `/license`, as Slack sends it: the usual phrasings, typos, plain-text
names, and the answers that say plainly what happened and what to do."""

from __future__ import annotations

from typing import Any

import pytest

from licensing.requests import Assign, Purchase
from licensing.schemas import AccountKey, Actor
from tests.e2e.conftest import Slack

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


def _opened(slack: Slack) -> dict[str, Any]:
    """The count, product and office the seat modal just opened shows first."""
    slack.fake.wait_for("views.open")
    count, product, office = (b["element"] for b in slack.fake.latest_view()["blocks"])
    return {
        "count": count.get("initial_value"),
        "product": product["initial_option"]["value"],
        "office": office["initial_option"]["value"],
    }


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("buy 3 talk seats", "3"),
        ("buy 3 seats of talk", "3"),
        ("remove 1 seat talk", "1"),
        ("buy 1,000 talk", "1000"),
    ],
)
def test_the_usual_phrasings_open_the_modal_filled_in(slack: Slack, text: str, count: str) -> None:
    slack.send.slash_command("status")
    answer = slack.send.slash_command(text)
    assert answer.status == 200 and answer.json() is None  # an empty ack: the modal asks
    assert _opened(slack) == {"count": count, "product": "talk", "office": "Main"}


@pytest.mark.parametrize("text", ["buy -3", "buy 0 talk"])
def test_a_count_below_one_is_refused_at_once_and_no_modal_opens(slack: Slack, text: str) -> None:
    slack.send.slash_command("status")
    count = text.split()[1]
    answer = slack.send.slash_command(text).json()
    assert answer["text"] == (
        f"{count} is not a number of seats licensebot can take: enter a whole number from 1 "
        "to 10,000."
    )
    assert slack.fake.calls("views.open") == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("stauts", "`stauts` is not a /license command. Did you mean `status`?"),
        (
            "buy 3 tlak",
            "“tlak” is neither a product (talk, meetings, recording) nor an office (Main). "
            "Did you mean Talk?",
        ),
    ],
)
def test_a_typo_is_answered_with_what_was_probably_meant(
    slack: Slack, text: str, said: str
) -> None:
    slack.send.slash_command("status")
    assert slack.send.slash_command(text).json()["text"] == said
    assert slack.fake.calls("views.open") == []


def test_a_name_typed_after_an_at_sign_is_not_taken_for_an_office(slack: Slack) -> None:
    slack.send.slash_command("status")
    answer = slack.send.slash_command("admins add @nobody").json()
    assert answer["text"] == (
        "“@nobody” is not a Slack user licensebot can see: mention someone by typing @ and "
        "picking them from the list Slack shows."
    )


def test_a_member_asking_who_holds_seats_is_told_only_admins_can_and_sees_their_own(
    slack: Slack,
) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, Purchase(count=2, product="talk"), "buy")
    slack.service.handle(TEAM, OLIVIA, Assign(user_id="UDANA", product="talk"))

    answer = slack.send.slash_command("users", user="UDANA").json()

    assert answer["text"] == (
        "You cannot list who holds seats: only company admins and office admins can. "
        "Ask one of them to do it.\nYour seats: Talk (Main)."
    )


def test_adding_an_office_without_a_name_says_to_name_it(slack: Slack) -> None:
    slack.send.slash_command("status")
    answer = slack.send.slash_command("offices add").json()
    assert answer["text"] == "Name the office: `/license offices add Berlin`."


def test_timezone_alone_shows_the_billing_time_zone_and_how_to_change_it(slack: Slack) -> None:
    slack.send.slash_command("status")
    answer = slack.send.slash_command("timezone").json()
    assert answer["text"] == (
        "The billing time zone is UTC: periods end, and reminders go out, by its clock. "
        "A company admin changes it with `/license timezone Area/City`, e.g. "
        "`/license timezone Europe/Berlin`; a new time zone applies from the next period."
    )


def test_a_time_zone_in_any_case_is_taken_as_iana_spells_it(slack: Slack) -> None:
    slack.send.slash_command("status")
    answer = slack.send.slash_command("timezone europe/berlin").json()
    assert answer["text"].startswith("Billing time zone is now Europe/Berlin.")
    assert slack.service.status(TEAM, OLIVIA).subscription.time_zone == "Europe/Berlin"
