"""oauth.v2.access: installs into the first workspace, into a named one, or into a whole Grid
org; and installing again after an uninstall."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_standin.server import FakeSlack
from tests.slack_standin.conftest import web


def _install(fake: FakeSlack, code: str) -> dict[str, object]:
    answer = WebClient(base_url=fake.api_url).oauth_v2_access(
        client_id="111.222", client_secret="shh", code=code
    )
    return dict(answer.data) if isinstance(answer.data, dict) else {}


def test_a_user_code_installs_into_the_first_workspace(fake: FakeSlack, grid: FakeSlack) -> None:
    plain = _install(fake, "code-UDANA")
    assert (plain["access_token"], plain["team"], plain["enterprise"]) == (
        "xoxb-T0001-installed",
        {"id": "T0001", "name": "Acme"},
        None,
    )
    assert plain["authed_user"] == {"id": "UDANA"}

    on_grid = _install(grid, "code-UDANA")
    assert on_grid["enterprise"] == {"id": "E0001", "name": "Acme Corp"}
    assert on_grid["is_enterprise_install"] is False


def test_a_code_naming_a_workspace_installs_there(grid: FakeSlack) -> None:
    answer = _install(grid, "code-UPAT-T0900")

    assert answer["access_token"] == "xoxb-T0900-installed"
    assert (answer["team"], answer["enterprise"]) == (
        {"id": "T0900", "name": "Partner"},
        {"id": "E0900", "name": "Partner Inc"},
    )
    assert (answer["bot_user_id"], answer["authed_user"]) == ("UPBOT", {"id": "UPAT"})
    assert web(grid, str(answer["access_token"])).auth_test()["team_id"] == "T0900"


def test_an_org_code_installs_org_wide(grid: FakeSlack) -> None:
    answer = _install(grid, "org-UOWNER-E0001")

    assert answer == {
        "ok": True,
        "access_token": "xoxb-E0001-org",
        "token_type": "bot",
        "scope": "chat:write,commands,users:read",
        "bot_user_id": "UBOT",
        "app_id": "A0001",
        "team": None,
        "enterprise": {"id": "E0001", "name": "Acme Corp"},
        "is_enterprise_install": True,
        "authed_user": {"id": "UOWNER"},
    }
    assert web(grid, "xoxb-E0001-org").auth_test()["is_enterprise_install"] is True


@pytest.mark.parametrize("code", ["code-UDANA-T9999", "org-UOWNER-E9999", "org-E0001", ""])
def test_codes_for_unknown_places_are_refused(grid: FakeSlack, code: str) -> None:
    with pytest.raises(SlackApiError, match="invalid_code"):
        _install(grid, code)


def test_installing_again_makes_revoked_tokens_work(grid: FakeSlack) -> None:
    grid.uninstall("E0001")
    grid.revoke("xoxb-T0002-installed")
    with pytest.raises(SlackApiError, match="token_revoked"):
        web(grid, "xoxb-E0001-org").auth_test()

    _install(grid, "org-UOWNER-E0001")
    _install(grid, "code-UDANA-T0002")

    assert web(grid, "xoxb-E0001-org").auth_test()["ok"] is True
    assert web(grid, "xoxb-T0002-installed").auth_test()["ok"] is True
