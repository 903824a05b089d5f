"""The real app in Socket Mode: it opens the stand-in's socket with an app-level token, takes
slash commands, modal submissions and events in envelopes, and answers in their acks."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from bot.app import build_app
from bot.settings import ConfigurationError, Settings
from bot.socket_mode import answer_slack
from licensing.catalog import Catalog
from licensing.db import make_engine, make_session_factory
from licensing.service import LicensingService
from slack_standin.server import FakeSlack
from slack_standin.socket_mode import SocketModeSlack
from slack_standin.socket_requester import SocketModeRequester
from slack_standin.workspace import Workspace
from tests.conftest import FakeClock

APP_TOKEN = "xapp-1-A0001-socket"


@dataclass
class Socket:
    fake: FakeSlack
    socket: SocketModeSlack
    send: SocketModeRequester
    service: LicensingService
    app: AsyncApp


class Answering:
    """`answer_slack` on an event loop of its own, as `licensebot run` runs it; `stop()` cancels
    it as SIGTERM does and waits until it has closed everything."""

    def __init__(self, app: AsyncApp) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(app),), daemon=True)
        self._thread.start()
        assert self._started.wait(30), "the app's event loop did not start within 30 s"

    async def _main(self, app: AsyncApp) -> None:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        self._started.set()
        with contextlib.suppress(asyncio.CancelledError):
            try:
                await answer_slack(app, APP_TOKEN)
            except Exception as error:
                self.failure = error

    def stop(self) -> None:
        if self._loop is not None and self._task is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(30)
        assert not self._thread.is_alive(), "the app did not stop within 30 s of its cancellation"


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: what is under test is the transport; the other e2e tests run on both."""
    shutil.copy(sqlite_template, tmp_path / "licensebot.db")
    return f"sqlite:///{tmp_path / 'licensebot.db'}"


@pytest.fixture
def slack(database: str, catalog: Catalog, clock: FakeClock) -> Iterator[Socket]:
    workspace = Workspace()
    engine = make_engine(database)
    with FakeSlack(workspace) as fake, SocketModeSlack(fake) as socket:
        fake.trigger_ttl = None  # a slow CI machine must not expire triggers
        settings = Settings(
            slack_bot_token="xoxb-socket", slack_app_token=APP_TOKEN, slack_api_url=fake.api_url
        )
        service = LicensingService(make_session_factory(engine), catalog, clock)
        app = build_app(settings, service, catalog)
        answering = Answering(app)
        try:
            socket.wait_for_connection()
            yield Socket(fake, socket, SocketModeRequester(socket, workspace, fake), service, app)
        finally:
            answering.stop()
    engine.dispose()
    assert answering.failure is None


def _values(send: SocketModeRequester, count: str) -> dict[str, Any]:
    return {
        "count": {"count_value": send.number_input(count)},
        "product": {"product_value": send.static_select("talk")},
        "office": {"office_value": send.static_select("Main")},
    }


def test_the_app_opens_the_socket_with_its_app_level_token(slack: Socket) -> None:
    [opened] = slack.fake.calls("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert opened.response is not None and opened.response["url"].startswith("ws://127.0.0.1:")


def test_the_owners_status_is_acked_on_the_socket_with_the_ephemeral_text(slack: Socket) -> None:
    answer = slack.send.slash_command("status", user="UOWNER").json()
    assert answer["response_type"] == "ephemeral"
    assert "Subscription *trialing*" in str(answer["blocks"])


def test_a_purchase_runs_through_the_modal_over_the_socket(slack: Socket) -> None:
    slack.send.slash_command("status")
    assert slack.send.slash_command("buy 3 talk").body == ""  # a bare ack: the modal opens
    [opened] = slack.fake.wait_for("views.open")
    assert opened.params["view"]["title"]["text"] == "Buy seats"
    entry = slack.fake.latest_view()

    review = slack.send.view_submission(entry, values=_values(slack.send, "3")).json()
    assert review["response_action"] == "update"
    assert "3 seats added free during the trial" in str(review["view"]["blocks"])

    done = slack.send.view_submission({**entry, **review["view"], "id": entry["id"]}).json()
    assert "bought 3 Talk seats in Main" in str(done["view"]["blocks"])
    [account] = slack.service.export()
    assert account.offices[0].pools[0].purchased == 3


def test_a_member_is_refused_over_the_socket_and_nothing_changes(slack: Socket) -> None:
    first = slack.send.slash_command("status", user="UDANA").json()
    assert "a workspace admin or owner needs to run `/license status` once" in first["text"]
    slack.send.slash_command("status", user="UOWNER")

    refused = slack.send.slash_command("buy 3 talk", user="UDANA").json()
    assert "You cannot buy seats" in refused["text"]  # at once, before any form opens
    assert slack.fake.calls("views.open") == []
    [account] = slack.service.export()
    assert account.offices[0].pools == []


def test_the_home_tab_is_published_for_an_events_api_envelope(slack: Socket) -> None:
    slack.send.slash_command("status")
    answer = slack.send.event(
        {"type": "app_home_opened", "user": "UOWNER", "tab": "home", "channel": "D0UOWNER"}
    )
    assert answer.body == ""  # events are acked bare
    [publish] = slack.fake.wait_for("views.publish", timeout=30)
    assert publish.params["user_id"] == "UOWNER"


@pytest.mark.parametrize("reason", [None, "refresh_requested"], ids=["dropped", "refreshed"])
def test_a_socket_closed_by_slack_is_reopened_and_commands_work_again(
    slack: Socket, reason: str | None
) -> None:
    slack.send.slash_command("status")
    assert slack.socket.close_sockets(reason) == 1

    slack.socket.wait_for_connection(count=2)
    assert len(slack.fake.wait_for("apps.connections.open", count=2, timeout=30)) >= 2
    answer = slack.send.slash_command("status").json()
    assert "Subscription *trialing*" in str(answer["blocks"])


def test_the_app_shares_one_web_api_session_and_closes_it_when_stopped(
    database: str, catalog: Catalog, clock: FakeClock
) -> None:
    workspace = Workspace()
    with FakeSlack(workspace) as fake, SocketModeSlack(fake) as socket:
        settings = Settings(
            slack_bot_token="xoxb-socket", slack_app_token=APP_TOKEN, slack_api_url=fake.api_url
        )
        service = LicensingService(make_session_factory(make_engine(database)), catalog, clock)
        app = build_app(settings, service, catalog)
        answering = Answering(app)
        socket.wait_for_connection()
        session = app.client.session
        assert session is not None and not session.closed
        SocketModeRequester(socket, workspace, fake).slash_command("status")
        assert app.client.session is session

        answering.stop()
        assert session.closed
        socket.wait_for_no_socket()  # the app closed its own


def test_a_refused_app_level_token_stops_the_start_with_a_message(
    database: str, catalog: Catalog, clock: FakeClock
) -> None:
    with FakeSlack() as fake:
        fake.fail_next("apps.connections.open", error="invalid_auth")
        settings = Settings(
            slack_bot_token="xoxb-socket", slack_app_token=APP_TOKEN, slack_api_url=fake.api_url
        )
        service = LicensingService(make_session_factory(make_engine(database)), catalog, clock)
        app = build_app(settings, service, catalog)
        with pytest.raises(ConfigurationError, match="Slack refused SLACK_APP_TOKEN: invalid_auth"):
            asyncio.run(answer_slack(app, APP_TOKEN))
        assert app.client.session is not None and app.client.session.closed
