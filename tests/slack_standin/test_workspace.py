"""The stand-in's workspaces: their people and channels, and the Grid orgs they form."""

from __future__ import annotations

import pytest

from slack_standin.workspace import SlackChannel, Workspace


def test_workspace_defaults() -> None:
    workspace = Workspace()
    assert workspace.user_by_name("dana").id == "UDANA"
    assert workspace.channel_by_name("#licenses") is not None
    with pytest.raises(KeyError):
        workspace.user_by_name("nobody")


def test_a_shared_channel_says_whom_it_is_shared_with() -> None:
    shared = SlackChannel("C0SHARED", "acme-partners", shared_with={"T0900"})

    seen = shared.to_api("T0900", host_team_id="T0001")
    assert (seen["is_shared"], seen["is_ext_shared"], seen["context_team_id"]) == (
        True,
        True,
        "T0900",
    )
    assert seen["shared_team_ids"] == ["T0001", "T0900"]
    plain = SlackChannel("C0GENERAL", "general").to_api("T0001")
    assert plain["is_ext_shared"] is False and "shared_team_ids" not in plain


def test_a_grid_workspace_names_its_org() -> None:
    assert Workspace(enterprise_id="E0001", enterprise_name="Acme Corp").enterprise == {
        "id": "E0001",
        "name": "Acme Corp",
    }
    assert Workspace(enterprise_id="E0001").enterprise == {"id": "E0001", "name": "E0001"}
    assert Workspace().enterprise is None
