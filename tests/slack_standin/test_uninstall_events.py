"""app_uninstalled and tokens_revoked events, for a workspace and for an org-wide install, and
the tokens they leave revoked."""

from __future__ import annotations

import pytest
from slack_bolt.request.internals import extract_enterprise_id, extract_team_id
from slack_sdk.errors import SlackApiError

from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from tests.slack_standin.conftest import SECRET, web


def test_app_uninstalled_from_a_workspace(fake: FakeSlack, bot_url: str) -> None:
    envelope = SlackRequester(bot_url, SECRET, fake.workspace, fake).app_uninstalled()
    sent = envelope.json()["json"]

    assert sent["type"] == "event_callback" and sent["event"]["type"] == "app_uninstalled"
    assert (sent["team_id"], "enterprise_id" in sent) == ("T0001", False)
    assert (extract_enterprise_id(sent), extract_team_id(sent)) == (None, "T0001")
    with pytest.raises(SlackApiError, match="token_revoked"):
        web(fake, "xoxb-e2e").auth_test()


def test_app_uninstalled_from_an_org(grid: FakeSlack, bot_url: str) -> None:
    eu = grid.workspaces[1]
    send = SlackRequester(bot_url, SECRET, eu, grid, org_wide=True)

    sent = send.app_uninstalled().json()["json"]

    assert "team_id" not in sent and sent["enterprise_id"] == "E0001"
    assert (extract_enterprise_id(sent), extract_team_id(sent)) == ("E0001", None)
    with pytest.raises(SlackApiError, match="token_revoked"):
        web(grid, "xoxb-E0001-org").auth_test()
    assert web(grid, "xoxb-T0002-installed").auth_test()["ok"] is True


def test_tokens_revoked_names_the_bot_and_the_users(grid: FakeSlack, bot_url: str) -> None:
    eu = grid.workspaces[1]
    send = SlackRequester(bot_url, SECRET, eu, grid)

    users_only = send.tokens_revoked(bot=False, users=["UEVA"]).json()["json"]
    assert users_only["event"]["tokens"] == {"oauth": ["UEVA"], "bot": []}
    assert web(grid, "xoxb-T0002-installed").auth_test()["ok"] is True

    sent = send.tokens_revoked().json()["json"]
    assert sent["event"] == {
        "type": "tokens_revoked",
        "tokens": {"oauth": [], "bot": ["UBOT"]},
        "event_ts": sent["event"]["event_ts"],
    }
    assert (sent["team_id"], sent["enterprise_id"]) == ("T0002", "E0001")
    with pytest.raises(SlackApiError, match="token_revoked"):
        web(grid, "xoxb-T0002-installed").auth_test()


def test_an_event_alone_leaves_the_tokens_working(fake: FakeSlack, bot_url: str) -> None:
    send = SlackRequester(bot_url, SECRET, fake.workspace, fake)
    send.app_uninstalled(revoke=False)
    send.tokens_revoked(revoke=False)
    assert web(fake, "xoxb-e2e").auth_test()["ok"] is True
