"""The stand-in's workspaces: their people and channels, and the Grid orgs they form."""

from __future__ import annotations

import pytest

from slack_standin.server import FakeSlack
from slack_standin.web_api import WebApi
from slack_standin.workspace import SlackChannel, SlackUser, Workspace
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


def test_thousands_of_workspaces_each_answer_for_their_own_channels_and_people() -> None:
    many = [
        Workspace(
            team_id=f"T{n:05d}",
            users=[SlackUser(f"U{n:05d}", f"admin{n}", "Admin")],
            channels=[SlackChannel(f"C{n:05d}", "licenses")],
        )
        for n in range(1, 3_001)
    ]
    fake = FakeSlack(many[0], others=many[1:])
    web = WebApi(many[0], many[1:])

    posted = web.call(
        "chat.postMessage", {"channel": "C02999", "text": "hi"}, "xoxb-T02999-installed"
    )
    elsewhere = web.call(
        "chat.postMessage", {"channel": "C00001", "text": "hi"}, "xoxb-T02999-installed"
    )
    opened = web.call("conversations.open", {"users": "U02999"}, "xoxb-T02999-installed")

    assert posted["ok"] and posted["channel"] == "C02999"
    assert elsewhere == {"ok": False, "error": "channel_not_found"}
    assert opened["channel"]["id"] == "DU02999"
    with pytest.raises(ValueError, match="channel ids"):
        fake.add_workspace(
            Workspace(team_id="T9", users=[], channels=[SlackChannel("C01500", "x")])
        )


def test_a_channel_added_to_a_workspace_later_is_found_all_the_same() -> None:
    workspace = Workspace()
    web = WebApi(workspace)
    workspace.channels.append(SlackChannel("C0LATER", "later"))

    assert web.call("chat.postMessage", {"channel": "C0LATER", "text": "hi"}, "xoxb-t")["ok"]
