"""Installing in many workspaces with OAuth: the install page, the redirect, the stores."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from bot.app import build_app
from bot.server import EVENTS_PATH
from bot.settings import ConfigurationError, Settings
from licensing.catalog import Catalog
from licensing.db import make_session_factory
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace
from tests.conftest import FakeClock
from tests.e2e.conftest import SIGNING_SECRET, browse, serving


@pytest.fixture
def oauth_app(
    engine: Engine, catalog: Catalog, clock: FakeClock
) -> Iterator[tuple[str, FakeSlack, LicensingService]]:
    with FakeSlack(Workspace()) as fake:
        settings = Settings(
            slack_client_id="111.222",
            slack_client_secret="shh",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
        )
        service = LicensingService(make_session_factory(engine), catalog, clock)
        with serving(build_app(settings, service, catalog, engine)) as base:
            yield base, fake, service


def test_installing_stores_the_installation_and_opens_the_account(
    oauth_app: tuple[str, FakeSlack, LicensingService], engine: Engine
) -> None:
    base, fake, service = oauth_app
    status, page, cookie = browse(base + "/slack/install")
    assert status == 200
    state = re.search(r"state=([\w-]+)", page)
    assert (
        state
        and "client_id=111.222" in page
        and (
            "scope=channels:history,channels:read,chat:write,commands,groups:history,groups:read,im:history,im:write,users:read"
            in page
        )
    )

    redirect = f"{base}/slack/oauth_redirect?code=code-UDANA&state={state.group(1)}"
    assert browse(redirect)[0] == 400  # not from the browser that started the install
    status, _, _ = browse(redirect, cookie)

    assert status == 200
    with engine.connect() as conn:
        token = conn.execute(text("SELECT bot_token FROM slack_bots")).scalar_one()
    assert token == "xoxb-T0001-installed"
    dana = Actor(user_id="UDANA")  # the installer is a company admin, though not a Slack admin
    assert service.status(AccountKey(team_id="T0001"), dana).is_company_admin

    requester = SlackRequester(base + EVENTS_PATH, SIGNING_SECRET, fake.workspace, fake)
    answer = requester.slash_command("status", user="UDANA").json()
    assert "Subscription *trialing*" in str(answer["blocks"])
    assert fake.calls("users.info")[-1].token == "xoxb-T0001-installed"


def test_a_forged_state_is_refused(
    oauth_app: tuple[str, FakeSlack, LicensingService],
) -> None:
    base, _, service = oauth_app
    status, _, _ = browse(
        f"{base}/slack/oauth_redirect?code=code-UDANA&state=forged", "slack-app-oauth-state=forged"
    )
    assert status == 401  # a state this app never issued
    assert list(service.export()) == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {},
            "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) and SLACK_SIGNING_SECRET must be set",
        ),
        ({"slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET must be set"),
        (
            {"slack_bot_token": "xoxb-1", "slack_client_id": "1", "slack_signing_secret": "s"},
            "not both",
        ),
        ({"slack_client_id": "1", "slack_signing_secret": "s"}, "SLACK_CLIENT_SECRET must be set"),
        (
            {"slack_bot_token": "xoxb-1", "slack_app_token": "xoxb-2"},
            "SLACK_APP_TOKEN must be an app-level token",
        ),
    ],
)
def test_missing_or_contradictory_settings_stop_start_up_naming_them(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        Settings.model_validate(env).check_slack()
