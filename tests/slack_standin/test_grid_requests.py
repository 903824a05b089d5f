"""Requests shaped as Slack sends them on Enterprise Grid, for an org-wide install and from
another organisation through a Slack Connect channel: Bolt's own extractors must read from
each the installation it is for (enterprise, team, org-wide or not) and who acted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt.request.internals import (
    extract_actor_enterprise_id,
    extract_actor_team_id,
    extract_enterprise_id,
    extract_is_enterprise_install,
    extract_team_id,
    extract_user_id,
)

from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace
from tests.slack_standin.conftest import MODAL, NOTICE_BLOCKS, SECRET, web

Read = tuple[str | None, str | None, bool | None, str | None]  # enterprise, team, org-wide, user


def _read(payload: dict[str, Any]) -> Read:
    return (
        extract_enterprise_id(payload),
        extract_team_id(payload),
        extract_is_enterprise_install(payload),
        extract_user_id(payload),
    )


@dataclass(frozen=True)
class Case:
    """Who sends from where, to an app installed at `token`'s place; what Bolt must read."""

    installed: str  # team id of the requester's workspace
    token: str
    org_wide: bool
    user: str
    channel: str
    from_team: str | None
    command: Read
    interaction: Read  # a block action in a message
    submission: Read  # a view submission
    event: Read


CASES = {
    "plain": Case(
        "T0001", "xoxb-e2e", False, "UDANA", "C0LICENSES", None,
        command=(None, "T0001", False, "UDANA"),
        interaction=(None, "T0001", False, "UDANA"),
        submission=(None, "T0001", False, "UDANA"),
        event=(None, "T0001", False, "UDANA"),
    ),
    "grid": Case(
        "T0002", "xoxb-T0002-installed", False, "UEVA", "C2SALES", None,
        command=("E0001", "T0002", False, "UEVA"),
        interaction=("E0001", "T0002", False, "UEVA"),
        submission=("E0001", "T0002", False, "UEVA"),
        event=("E0001", "T0002", False, "UEVA"),
    ),
    "org-wide": Case(
        "T0002", "xoxb-E0001-org", True, "UEVA", "C2SALES", None,
        command=("E0001", "T0002", True, "UEVA"),
        interaction=("E0001", "T0002", True, "UEVA"),
        submission=("E0001", "T0002", True, "UEVA"),
        event=("E0001", None, True, "UEVA"),  # authorizations[0].team_id is null org-wide
    ),
    # Pat of Partner Inc (Grid) and Sam of Solo (no Grid), in Acme's #acme-partners. A command
    # is not shared: it reaches the app through their own workspace's installation. A modal
    # submission names the installing workspace only in view.app_installed_team_id, so Bolt
    # reads Acme's team with Partner's org; a click on the app's message and an event carry
    # Acme's installation.
    "connect-from-grid": Case(
        "T0001", "xoxb-e2e", False, "UPAT", "C0SHARED", "T0900",
        command=("E0900", "T0900", False, "UPAT"),
        interaction=("E0001", "T0001", False, "UPAT"),
        submission=("E0900", "T0001", False, "UPAT"),
        event=("E0001", "T0001", False, "UPAT"),
    ),
    "connect-from-solo": Case(
        "T0001", "xoxb-e2e", False, "USAM", "C0SHARED", "T0500",
        command=(None, "T0500", False, "USAM"),
        interaction=("E0001", "T0001", False, "USAM"),
        submission=(None, "T0001", False, "USAM"),
        event=("E0001", "T0001", False, "USAM"),
    ),
}  # fmt: skip


@pytest.fixture
def plain_or_grid(request: pytest.FixtureRequest, fake: FakeSlack) -> FakeSlack:
    if request.node.callspec.params["name"] == "plain":
        return fake
    grid: FakeSlack = request.getfixturevalue("grid")
    return grid


def _workspace(fake: FakeSlack, team_id: str) -> Workspace:
    return next(w for w in fake.workspaces if w.team_id == team_id)


@pytest.mark.parametrize("name", list(CASES))
def test_bolt_reads_the_installation_and_the_actor(
    name: str, plain_or_grid: FakeSlack, bot_url: str
) -> None:
    case, fake = CASES[name], plain_or_grid
    send = SlackRequester(
        bot_url, SECRET, _workspace(fake, case.installed), fake, org_wide=case.org_wide
    )
    sender = _workspace(fake, case.from_team) if case.from_team else None
    client = web(fake, case.token)

    command = send.slash_command("buy", case.user, channel=case.channel, from_workspace=sender)
    assert _read(command.json()["form"]) == case.command

    view = client.views_open(trigger_id=send.last_trigger_id or "", view=MODAL)["view"]
    submission = send.view_submission(view, case.user, from_workspace=sender)
    assert _read(submission.json()["payload"]) == case.submission

    posted = client.chat_postMessage(channel=case.channel, text="go", blocks=NOTICE_BLOCKS)
    message = fake.messages[posted["channel"]][0]
    click = send.block_action("restore", user=case.user, message=message, from_workspace=sender)
    assert _read(click.json()["payload"]) == case.interaction

    said = {"type": "message", "user": case.user, "channel": case.channel, "text": "hi"}
    event = send.event(said, from_workspace=sender)
    assert _read(event.json()["json"]) == case.event


def test_grid_payloads_name_the_org(grid: FakeSlack, bot_url: str) -> None:
    send = SlackRequester(bot_url, SECRET, grid.workspace, grid)

    form = send.slash_command("status", "UDANA").json()["form"]
    assert (form["enterprise_id"], form["enterprise_name"]) == ("E0001", "Acme Corp")
    assert form["is_enterprise_install"] == "false"
    payload = send.block_action("restore", user="UDANA").json()["payload"]
    assert payload["team"] == {
        "id": "T0001",
        "domain": "acme",
        "enterprise_id": "E0001",
        "enterprise_name": "Acme Corp",
    }
    assert payload["enterprise"] == {"id": "E0001", "name": "Acme Corp"}
    assert payload["user"] == {
        "id": "UDANA",
        "username": "dana",
        "name": "dana",
        "team_id": "T0001",
    }
    envelope = send.event({"type": "app_home_opened", "user": "UDANA"}).json()["json"]
    assert envelope["enterprise_id"] == "E0001"
    assert envelope["authorizations"][0]["enterprise_id"] == "E0001"
    assert envelope["is_ext_shared_channel"] is False


def test_org_wide_payloads_say_so(grid: FakeSlack, bot_url: str) -> None:
    send = SlackRequester(bot_url, SECRET, grid.workspace, grid, org_wide=True)

    assert send.slash_command("status").json()["form"]["is_enterprise_install"] == "true"
    assert send.block_action("restore").json()["payload"]["is_enterprise_install"] is True
    envelope = send.event({"type": "app_home_opened", "user": "UOWNER"}).json()["json"]
    assert (envelope["team_id"], envelope["enterprise_id"]) == ("T0001", "E0001")
    assert envelope["authorizations"] == [
        {
            "enterprise_id": "E0001",
            "team_id": None,
            "user_id": "UBOT",
            "is_bot": True,
            "is_enterprise_install": True,
        }
    ]
    with pytest.raises(ValueError, match="no org"):
        SlackRequester(bot_url, SECRET, Workspace(), org_wide=True)


def test_a_modal_opened_in_a_shared_channel_names_the_installing_workspace(
    grid: FakeSlack, bot_url: str
) -> None:
    send = SlackRequester(bot_url, SECRET, grid.workspace, grid)
    partner = _workspace(grid, "T0900")
    send.slash_command("buy", "UPAT", channel="C0SHARED", from_workspace=partner)
    opened = web(grid, "xoxb-T0900-installed").views_open(
        trigger_id=send.last_trigger_id or "", view=MODAL
    )["view"]

    payload = send.view_submission(opened, "UPAT", from_workspace=partner).json()["payload"]

    assert payload["team"]["id"] == payload["user"]["team_id"] == "T0900"
    assert payload["enterprise"] == {"id": "E0900", "name": "Partner Inc"}
    assert (payload["view"]["team_id"], payload["view"]["app_installed_team_id"]) == (
        "T0900",
        "T0001",
    )


def test_events_in_a_shared_channel_carry_the_context(grid: FakeSlack, bot_url: str) -> None:
    send = SlackRequester(bot_url, SECRET, grid.workspace, grid)
    partner = _workspace(grid, "T0900")
    said = {"type": "message", "user": "UPAT", "channel": "C0SHARED", "text": "hi"}

    envelope = send.event(said, from_workspace=partner).json()["json"]

    assert (envelope["team_id"], envelope["enterprise_id"]) == ("T0900", "E0900")
    assert (envelope["context_team_id"], envelope["context_enterprise_id"]) == ("T0001", "E0001")
    assert envelope["is_ext_shared_channel"] is True
    assert envelope["event"]["team"] == "T0900"
    assert envelope["authorizations"][0]["team_id"] == "T0001"
    assert (extract_actor_enterprise_id(envelope), extract_actor_team_id(envelope)) == (
        "E0900",
        "T0900",
    )
    own = {"type": "message", "user": "UDANA", "channel": "C0SHARED", "text": "hi back"}
    mine = send.event(own).json()["json"]
    assert (mine["is_ext_shared_channel"], mine["context_team_id"]) == (True, "T0001")
