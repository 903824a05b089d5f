"""The Web API as seen from where each token acts: a workspace, a whole Grid org, a workspace a
channel is shared with; and tokens revoked or uninstalled."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_standin.server import FakeSlack
from tests.slack_standin.conftest import MODAL, web

CONFIGURED = "xoxb-e2e"  # whatever the tests configure acts for the first workspace
EU = "xoxb-T0002-installed"
ORG = "xoxb-E0001-org"
PARTNER = "xoxb-T0900-installed"


def _error(call: Callable[[], object]) -> str:
    """The `error` of a failing call: `_error(lambda: client.auth_test())`."""
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_auth_test_names_the_token_s_workspace_and_org(grid: FakeSlack) -> None:
    here = web(grid, CONFIGURED).auth_test()
    assert (here["team_id"], here["enterprise_id"], here["is_enterprise_install"]) == (
        "T0001",
        "E0001",
        False,
    )
    eu = web(grid, EU).auth_test()
    assert (eu["team_id"], eu["team"], eu["url"]) == (
        "T0002",
        "Acme EU",
        "https://acme-eu.slack.com/",
    )
    assert web(grid, PARTNER).auth_test()["enterprise_id"] == "E0900"
    assert "enterprise_id" not in web(grid, "xoxb-T0500-installed").auth_test().data

    org = web(grid, ORG).auth_test()
    assert org.get("team_id") is None
    assert (org["enterprise_id"], org["is_enterprise_install"], org["user_id"]) == (
        "E0001",
        True,
        "UBOT",
    )


def test_a_plain_workspace_answers_as_before(client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["is_enterprise_install"]) == ("T0001", False)
    assert "enterprise_id" not in answer.data
    assert "enterprise_user" not in client.users_info(user="UDANA")["user"]


def test_users_info_gives_the_roles_in_the_token_s_workspace(grid: FakeSlack) -> None:
    dana_here = web(grid, CONFIGURED).users_info(user="UDANA")["user"]
    dana_there = web(grid, EU).users_info(user="UDANA")["user"]

    assert (dana_here["team_id"], dana_here["is_admin"]) == ("T0001", False)
    assert (dana_there["team_id"], dana_there["is_admin"]) == ("T0002", True)
    assert dana_there["enterprise_user"]["teams"] == ["T0001", "T0002"]
    assert _error(lambda: web(grid, CONFIGURED).users_info(user="UEVA")) == "user_not_found"
    assert _error(lambda: web(grid, EU).users_info(user="UGUS")) == "user_not_found"


def test_an_org_token_finds_users_in_every_workspace_of_the_org(grid: FakeSlack) -> None:
    org = web(grid, ORG)
    eva = org.users_info(user="UEVA")["user"]
    olivia = org.users_info(user="UOWNER")["user"]

    assert eva["team_id"] == "T0002"
    assert eva["enterprise_user"] == {
        "id": "UEVA",
        "enterprise_id": "E0001",
        "enterprise_name": "Acme Corp",
        "is_admin": False,
        "is_owner": False,
        "teams": ["T0002"],
    }
    assert (olivia["enterprise_user"]["is_admin"], olivia["enterprise_user"]["is_owner"]) == (
        True,
        True,
    )
    assert olivia["enterprise_user"]["teams"] == ["T0001", "T0002"]
    assert org.users_info(user="UPAT")["user"]["team_id"] == "T0900"  # through #acme-partners
    assert _error(lambda: org.users_info(user="UNOBODY")) == "user_not_found"


def test_users_list_with_an_org_token_names_the_workspace(grid: FakeSlack) -> None:
    org = web(grid, ORG)
    names = [m["name"] for m in org.users_list(team_id="T0002")["members"]]

    assert names == ["olivia", "dana", "eva", "licensebot"]
    assert _error(lambda: org.users_list()) == "invalid_arguments"
    assert _error(lambda: org.users_list(team_id="T0900")) == "team_access_not_granted"
    eu_ids = [m["id"] for m in web(grid, EU).users_list(team_id="T0001")["members"]]
    assert "UEVA" in eu_ids  # a workspace token ignores team_id


def test_channels_belong_to_their_workspace(grid: FakeSlack) -> None:
    assert _error(
        lambda: web(grid, CONFIGURED).chat_postMessage(channel="C2GENERAL", text="hi")
    ) == ("channel_not_found")
    assert _error(lambda: web(grid, EU).chat_postMessage(channel="C0GENERAL", text="hi")) == (
        "channel_not_found"
    )
    assert web(grid, EU).chat_postMessage(channel="#sales", text="hi")["channel"] == "C2SALES"

    org = web(grid, ORG)
    org.chat_postMessage(channel="C0LICENSES", text="one")
    org.chat_postMessage(channel="C2GENERAL", text="two")
    assert [m["text"] for m in grid.messages["C2GENERAL"]] == ["two"]
    assert grid.messages["C0LICENSES"][0]["text"] == "one"
    permalink = org.chat_getPermalink(
        channel="C2GENERAL", message_ts=grid.messages["C2GENERAL"][0]["ts"]
    )
    assert permalink["permalink"].startswith("https://acme-eu.slack.com/archives/C2GENERAL/")


def test_a_shared_channel_is_reachable_from_the_workspaces_it_is_shared_with(
    grid: FakeSlack,
) -> None:
    partner = web(grid, PARTNER)
    posted = partner.chat_postMessage(channel="C0SHARED", text="hello from Partner")

    assert posted["message"]["user"] == "UPBOT"
    assert grid.messages["C0SHARED"][0]["text"] == "hello from Partner"
    seen = partner.conversations_info(channel="C0SHARED")["channel"]
    assert (seen["context_team_id"], seen["is_ext_shared"]) == ("T0900", True)
    assert seen["shared_team_ids"] == ["T0001", "T0500", "T0900"]
    assert _error(lambda: partner.chat_postMessage(channel="C0GENERAL", text="x")) == (
        "channel_not_found"
    )
    assert _error(lambda: web(grid, EU).chat_postMessage(channel="C0SHARED", text="x")) == (
        "channel_not_found"
    )


def test_external_members_of_a_shared_channel_are_their_own_workspace_s(grid: FakeSlack) -> None:
    pat = web(grid, CONFIGURED).users_info(user="UPAT")["user"]

    assert (pat["team_id"], pat["is_admin"]) == ("T0900", True)  # an admin of Partner, not Acme
    assert pat["enterprise_user"]["enterprise_id"] == "E0900"
    web(grid, CONFIGURED).chat_postEphemeral(channel="C0SHARED", user="UPAT", text="psst")
    assert _error(lambda: web(grid, EU).users_info(user="UPAT")) == "user_not_found"


def test_a_view_is_shown_where_its_trigger_came_from(grid: FakeSlack) -> None:
    grid.register_trigger("1.2.abc", "T0900")  # opened from the shared channel by Pat
    view = web(grid, CONFIGURED).views_open(trigger_id="1.2.abc", view=MODAL)["view"]
    assert (view["team_id"], view["app_installed_team_id"]) == ("T0900", "T0001")

    grid.register_trigger("1.2.def", "T0002")
    eu_view = web(grid, ORG).views_open(trigger_id="1.2.def", view=MODAL)["view"]
    assert eu_view["team_id"] == "T0002"
    updated = web(grid, ORG).views_update(view_id=eu_view["id"], view=MODAL)["view"]
    assert updated["team_id"] == "T0002"


def test_a_revoked_token_fails_every_call(grid: FakeSlack) -> None:
    grid.revoke(CONFIGURED)

    assert _error(lambda: web(grid, CONFIGURED).auth_test()) == "token_revoked"
    assert _error(
        lambda: web(grid, CONFIGURED).chat_postMessage(channel="C0GENERAL", text="x")
    ) == ("token_revoked")
    assert web(grid, "xoxb-T0001-installed").auth_test()["team_id"] == "T0001"
    assert grid.calls("auth.test")[0].response == {"ok": False, "error": "token_revoked"}


def test_uninstalling_revokes_every_token_of_that_workspace_or_org(grid: FakeSlack) -> None:
    grid.uninstall("T0002")
    assert _error(lambda: web(grid, EU).auth_test()) == "token_revoked"
    assert web(grid, ORG).users_info(user="UEVA")["ok"] is True  # the org install is another

    grid.uninstall("E0001")
    assert _error(lambda: web(grid, ORG).auth_test()) == "token_revoked"
    assert web(grid, CONFIGURED).auth_test()["ok"] is True

    grid.uninstall("T0001")
    assert _error(lambda: web(grid, CONFIGURED).auth_test()) == "token_revoked"
    with pytest.raises(ValueError, match="no workspace or org T9999"):
        grid.uninstall("T9999")


def test_tokens_of_unknown_workspaces_are_invalid(grid: FakeSlack) -> None:
    for token in ("xoxb-T9999-installed", "xoxb-E9999-org", "not-a-token"):
        assert _error(lambda token=token: web(grid, token).auth_test()) == "invalid_auth"
