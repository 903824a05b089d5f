"""Offices through `/license`: names that are refused and why, renaming and removing, status of
one office, and an office admin's commands going to their own office."""

from __future__ import annotations

from sqlalchemy import Engine, text

from licensing.model import RoleName
from licensing.requests import AddOffice, GrantRole, Purchase
from licensing.schemas import AccountKey, Actor
from tests.e2e.conftest import Slack

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


def _said(slack: Slack, command: str, user: str = "UOWNER") -> str:
    answer = slack.send.slash_command(command, user=user).json()
    assert isinstance(answer, dict), answer
    return str(answer["text"])


def test_an_office_name_with_a_look_alike_letter_is_refused_with_the_letter_named(
    slack: Slack,
) -> None:
    slack.send.slash_command("status")
    assert _said(slack, "offices add B\u0435rlin") == (
        "“B\u0435rlin” mixes Latin and Cyrillic letters, which can look the same: “\u0435” is "
        "U+0435 CYRILLIC SMALL LETTER IE. Type the name again in one alphabet."
    )
    assert _said(slack, "offices add Ber\u200blin") == (
        "The office name holds a character that does not show, U+200B ZERO WIDTH SPACE, after "
        "“Ber”. Type the name again instead of pasting it, without that character."
    )
    assert _said(slack, "offices") == "Offices: Main."


def test_offices_are_added_renamed_and_removed(slack: Slack) -> None:
    slack.send.slash_command("status")
    assert _said(slack, "offices add Ｂｅｒｌｉｎ") == "Offices: Main, Berlin."
    assert _said(slack, "offices add BERLIN").startswith("An office called “Berlin” already exists")
    assert _said(slack, "offices rename berlin to Munich") == "Offices: Main, Munich."
    assert _said(slack, "offices remove Munich") == "Offices: Main."
    assert _said(slack, "offices remove Main") == (
        "Main is the account's first office, where requests that name no office go, so it "
        "cannot be removed. It can be renamed: `/license offices rename Main to NEW`."
    )
    assert _said(slack, "offices rename Main to Headquarters") == "Offices: Headquarters."
    entries = sorted(slack.service.audit(TEAM, OLIVIA).entries, key=lambda e: e.id)
    assert [(e.event, e.office, e.detail) for e in entries if e.event.startswith("office_")] == [
        ("office_added", "Berlin", ""),
        ("office_renamed", "Munich", "was Berlin"),
        ("office_removed", "Munich", ""),
        ("office_renamed", "Headquarters", "was Main"),
    ]


def test_status_of_an_office_shows_only_that_offices_pools(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, AddOffice(name="Berlin"))
    slack.service.handle(TEAM, OLIVIA, Purchase(count=2, product="talk", office="Berlin"), "b")
    slack.service.handle(TEAM, OLIVIA, Purchase(count=1, product="meetings"), "m")

    answer = slack.send.slash_command("status berlin").json()

    assert answer["text"] == "License status of Berlin"
    pools = [
        b["text"]["text"] for b in answer["blocks"] if " in " in b.get("text", {}).get("text", "")
    ]
    assert pools == [
        "*Talk* in Berlin\n2 purchased · 0 assigned · 2 available · 0 scheduled for removal"
        " · unassigned seats cost 30.00 USD a month"
    ]


def test_an_office_admins_commands_go_to_their_office(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, AddOffice(name="Berlin"))
    grant = GrantRole(user_id="UDANA", role=RoleName.OFFICE_ADMIN, office="Berlin")
    slack.service.handle(TEAM, OLIVIA, grant)
    slack.service.handle(TEAM, OLIVIA, Purchase(count=1, product="talk", office="Berlin"), "b")

    slack.send.slash_command("buy 2 talk", user="UDANA")
    slack.fake.wait_for("views.open")
    office = slack.fake.latest_view()["blocks"][2]["element"]
    assert office["initial_option"]["value"] == "Berlin"

    assigned = _said(slack, "assign <@UERIK|erik> talk", user="UDANA")
    assert assigned == "<@UERIK> now holds a Talk seat in Berlin. 0 seats left."


def test_a_name_longer_than_slack_shows_stored_before_the_limit_still_opens_the_modal(
    slack: Slack, engine: Engine
) -> None:
    slack.send.slash_command("status")
    long = "Regional Office for Northern Germany, Schleswig-Holstein and Hamburg, est. 1990."
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO offices (account_id, name, name_key) SELECT id, :n, :k FROM accounts"
            ),
            {"n": long, "k": long.casefold()},
        )

    answer = slack.send.slash_command("buy 2 talk")

    assert answer.status == 200 and answer.json() is None
    slack.fake.wait_for("views.open")
    options = slack.fake.latest_view()["blocks"][2]["element"]["options"]
    assert (options[1]["text"]["text"], options[1]["value"]) == (long[:74] + "…", long)
