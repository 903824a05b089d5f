"""Whose account a request acts on, for every payload shape Slack sends, and who counts as
someone from elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context

from commands.tenancy import account_key, belongs_elsewhere
from licensing.schemas import AccountKey

GRID_WORKSPACE = AccountKey(team_id="T111", enterprise_id="E111")
ORG = AccountKey(team_id="E111", enterprise_id="E111")

# The payload shapes of slack-bolt's own request tests, on Enterprise Grid.
GRID_PAYLOADS: list[dict[str, Any]] = [
    {
        "command": "/license",
        "channel_id": "C111",
        "team_id": "T111",
        "enterprise_id": "E111",
        "user_id": "U111",
    },
    {
        "type": "block_actions",
        "actions": [{}],
        "channel": {"id": "C111"},
        "user": {"id": "U111", "team_id": "T111"},
        "team": {"id": "T111", "enterprise_id": "E111"},
    },
    {
        "type": "view_submission",
        "user": {"id": "U111", "team_id": "T111"},
        "team": {"id": "T111", "enterprise_id": "E111"},
        "view": {"id": "V111"},
    },
    {
        "type": "event_callback",
        "team_id": "T111",
        "enterprise_id": "E111",
        "event": {"type": "app_home_opened", "user": "U111", "tab": "home"},
        "authorizations": [
            {"enterprise_id": "E111", "team_id": "T111", "is_enterprise_install": False}
        ],
    },
]


def context_of(payload: dict[str, Any], installed: AuthorizeResult | None) -> AsyncBoltContext:
    context = build_async_context(AsyncBoltContext({}), payload)
    if installed is not None:
        context.set_authorize_result(installed)
    return context


@pytest.mark.parametrize("payload", GRID_PAYLOADS, ids=["command", "button", "modal", "event"])
def test_every_grid_payload_acts_on_the_workspace_that_installed_licensebot(
    payload: dict[str, Any],
) -> None:
    installed = AuthorizeResult(enterprise_id="E111", team_id="T111")
    assert account_key(context_of(payload, installed)) == GRID_WORKSPACE


@pytest.mark.parametrize("payload", GRID_PAYLOADS, ids=["command", "button", "modal", "event"])
def test_with_an_org_wide_install_every_workspace_of_the_org_acts_on_the_org_account(
    payload: dict[str, Any],
) -> None:
    org_wide = {**payload, "is_enterprise_install": True}
    if "authorizations" in payload:
        authorization = {"enterprise_id": "E111", "team_id": None, "is_enterprise_install": True}
        org_wide["authorizations"] = [authorization]
    installed = AuthorizeResult(enterprise_id="E111", team_id=None)
    assert account_key(context_of(org_wide, installed)) == ORG


def test_a_modal_opened_from_a_shared_channel_acts_on_the_installing_workspace() -> None:
    payload = {
        "type": "view_submission",
        "user": {"id": "UEXT", "team_id": "TOTHER"},
        "team": {"id": "TOTHER"},
        "view": {"id": "V1", "app_installed_team_id": "T111"},
    }
    installed = AuthorizeResult(enterprise_id=None, team_id="T111")
    key = account_key(context_of(payload, installed))
    assert key == AccountKey(team_id="T111")
    assert belongs_elsewhere(key, payload)


def test_a_button_clicked_in_a_shared_channel_by_another_org_is_from_elsewhere() -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": "UEXT", "team_id": "TOTHER"},
        "team": {"id": "TOTHER"},
        "actions": [{}],
    }
    installed = AuthorizeResult(enterprise_id=None, team_id="T111")
    key = account_key(context_of(payload, installed))
    assert key == AccountKey(team_id="T111")
    assert belongs_elsewhere(key, payload)


@pytest.mark.parametrize("payload", GRID_PAYLOADS, ids=["command", "button", "modal", "event"])
def test_people_of_the_installing_workspace_are_not_from_elsewhere(payload: dict[str, Any]) -> None:
    assert not belongs_elsewhere(GRID_WORKSPACE, payload)
    assert not belongs_elsewhere(ORG, payload)


def test_another_workspace_of_the_same_org_is_elsewhere_unless_installed_org_wide() -> None:
    sibling = {
        "type": "block_actions",
        "user": {"id": "U111", "team_id": "T222"},
        "team": {"id": "T222", "enterprise_id": "E111"},
    }
    assert belongs_elsewhere(GRID_WORKSPACE, sibling)
    assert not belongs_elsewhere(ORG, sibling)


def test_another_org_is_elsewhere_for_an_org_wide_install() -> None:
    stranger = {
        "type": "block_actions",
        "user": {"id": "UEXT", "team_id": "TOTHER"},
        "team": {"id": "TOTHER", "enterprise_id": "EOTHER"},
    }
    plain_stranger = {"command": "/license", "team_id": "TOTHER", "user_id": "UEXT"}
    assert belongs_elsewhere(ORG, stranger)
    assert belongs_elsewhere(ORG, plain_stranger)


def test_an_org_wide_account_is_keyed_by_the_org() -> None:
    assert AccountKey.of_installation(None, "E111", org_wide=True) == ORG
    assert AccountKey.of_installation("T111", "E111", org_wide=False) == GRID_WORKSPACE
    assert ORG.org_wide and not GRID_WORKSPACE.org_wide
    assert not AccountKey(team_id="T111").org_wide
