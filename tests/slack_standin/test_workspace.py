"""The stand-in's workspaces: their people and channels, and the Grid orgs they form."""

from __future__ import annotations

import pytest

from slack_standin.server import FakeSlack
from slack_standin.workspace import SlackChannel, Workspace
from tests.slack_standin.conftest import acme, acme_eu, partner


def test_workspace_defaults() -> None:
    workspace = Workspace()
    assert workspace.user_by_name("dana").id == "UDANA"
    assert workspace.channel_by_name("#licenses") is not None
    with pytest.raises(KeyError):
        workspace.user_by_name("nobody")


def test_a_grid_org_holds_several_workspaces_sharing_users() -> None:
    hq, eu = acme(), acme_eu()
    fake = FakeSlack(hq, others=[eu])
    added = fake.add_workspace(partner())

    assert fake.workspace is hq
    assert [w.team_id for w in fake.workspaces] == ["T0001", "T0002", "T0900"]
    assert added.enterprise == {"id": "E0900", "name": "Partner Inc"}
    dana_here, dana_there = hq.user("UDANA"), eu.user("UDANA")  # one person, two roles
    assert dana_here is not None and dana_there is not None
    assert (dana_here.is_admin, dana_there.is_admin) == (False, True)


def test_workspaces_that_clash_are_refused() -> None:
    fake = FakeSlack(acme())
    with pytest.raises(ValueError, match="T0001 is already there"):
        fake.add_workspace(acme())
    with pytest.raises(ValueError, match="channel ids"):
        fake.add_workspace(Workspace(team_id="T0003", users=[]))
    with pytest.raises(ValueError, match="not in the same org"):  # another org, same people
        fake.add_workspace(Workspace(team_id="T0003", channels=[], enterprise_id="E0002"))
    fake.add_workspace(Workspace(team_id="T0003", channels=[], enterprise_id="E0001"))


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
