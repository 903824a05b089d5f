"""The App Home tab: published for the user who opened it, with the problem if there is one."""

from __future__ import annotations

from typing import Any

from commands.listeners.home import HomeTab
from commands.tenancy import NotSetUp
from commands.views.status import home_view
from licensing.errors import AccountNotFound
from tests.commands.listeners.fakes import ADMIN, MEMBER, Harness, as_dict
from tests.commands.views.samples import STATUS


def opened(harness: Harness, user: str, tab: str = "home") -> None:
    harness.as_user(user, channel_id=f"D0{user}")
    event = {"type": "app_home_opened", "user": user, "tab": tab, "channel": f"D0{user}"}
    harness.run(
        HomeTab(harness.deps).opened(event, {"event": event}, harness.context, harness.client.web)
    )


def published(harness: Harness) -> tuple[str, dict[str, Any]]:
    [publish] = harness.client.made("views_publish")
    return publish["user_id"], as_dict(publish["view"])


def test_opening_home_publishes_the_status_for_the_events_user(harness: Harness) -> None:
    opened(harness, ADMIN)

    user, view = published(harness)
    assert user == ADMIN
    assert view == home_view(STATUS).to_dict()
    assert "Buy seats" in str(view["blocks"])
    assert harness.service.reads[-1] == "status"
    assert harness.service.calls == []


def test_opening_the_messages_tab_publishes_nothing(harness: Harness) -> None:
    opened(harness, ADMIN, tab="messages")

    assert harness.client.calls == []
    assert harness.service.reads == []


def test_a_member_where_no_account_is_open_sees_how_to_set_it_up(harness: Harness) -> None:
    harness.service.installed.clear()

    opened(harness, MEMBER)

    user, view = published(harness)
    assert user == MEMBER
    assert view == home_view(None, NotSetUp().message).to_dict()
    assert harness.service.installs == []


def test_an_account_not_found_is_published_as_the_problem(harness: Harness) -> None:
    harness.service.status_refusal = AccountNotFound("T1")

    opened(harness, ADMIN)

    _, view = published(harness)
    assert view["blocks"][1]["text"]["text"] == AccountNotFound("T1").message
