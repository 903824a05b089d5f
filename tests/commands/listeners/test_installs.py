"""Leaving a workspace: the tokens go, waiting notices are given up, nothing is cancelled."""

from __future__ import annotations

from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from commands.listeners.installs import REVOKED, UNINSTALLED, Installations
from licensing.schemas import AccountKey
from tests.commands.listeners.fakes import Harness


class RecordingStore(AsyncInstallationStore):
    def __init__(self) -> None:
        self.deleted: list[tuple[str, dict[str, Any]]] = []

    async def async_delete_bot(self, **where: Any) -> None:
        self.deleted.append(("bot", where))

    async def async_delete_installation(self, **where: Any) -> None:
        self.deleted.append(("installation", where))


def test_an_uninstall_deletes_the_installation_and_gives_up_its_notices(
    harness: Harness,
) -> None:
    store = RecordingStore()
    harness.run(Installations(harness.deps, store).app_uninstalled(harness.context))
    assert store.deleted == [
        ("bot", {"enterprise_id": None, "team_id": "T1"}),
        ("installation", {"enterprise_id": None, "team_id": "T1"}),
    ]
    assert harness.service.uninstalls == [(AccountKey(team_id="T1"), UNINSTALLED)]


def test_an_org_wide_uninstall_gives_up_the_notices_of_the_org_account(
    harness: Harness,
) -> None:
    harness.context["is_enterprise_install"] = True
    harness.context.set_authorize_result(AuthorizeResult(enterprise_id="E1", team_id=None))
    harness.run(Installations(harness.deps, RecordingStore()).app_uninstalled(harness.context))
    assert harness.service.uninstalls == [
        (AccountKey(team_id="E1", enterprise_id="E1"), UNINSTALLED)
    ]


def test_a_revoked_bot_token_gives_up_the_notices_but_a_revoked_user_token_does_not(
    harness: Harness,
) -> None:
    store = RecordingStore()
    installations = Installations(harness.deps, store)
    harness.run(installations.tokens_revoked({"tokens": {"oauth": ["U9"]}}, harness.context))
    assert harness.service.uninstalls == []
    harness.run(installations.tokens_revoked({"tokens": {"bot": ["UBOT"]}}, harness.context))
    assert harness.service.uninstalls == [(AccountKey(team_id="T1"), REVOKED)]
    assert [kind for kind, _ in store.deleted] == ["installation", "bot"]


def test_with_a_single_bot_token_an_uninstall_still_gives_up_the_notices(
    harness: Harness,
) -> None:
    harness.run(Installations(harness.deps, None).app_uninstalled(harness.context))
    assert harness.service.uninstalls == [(AccountKey(team_id="T1"), UNINSTALLED)]
