"""Offices through `/license`: the status of one office."""

from __future__ import annotations

from licensing.requests import AddOffice, Purchase
from licensing.schemas import AccountKey, Actor
from tests.e2e.conftest import Slack

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


def _said(slack: Slack, command: str, user: str = "UOWNER") -> str:
    answer = slack.send.slash_command(command, user=user).json()
    assert isinstance(answer, dict), answer
    return str(answer["text"])


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
