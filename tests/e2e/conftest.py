"""The real app served over HTTP on loopback, talking to the fake Slack Web API."""

from __future__ import annotations

import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import uvicorn
from slack_bolt.async_app import AsyncApp
from sqlalchemy import Engine

from bot.app import build_app
from bot.server import EVENTS_PATH, SlackServer
from bot.settings import Settings
from commands.views.notices import closed_notice, notice_message
from licensing.catalog import Catalog
from licensing.db import make_session_factory
from licensing.scheduled import ScheduledWork
from licensing.service import LicensingService
from scheduler.delivery import Dispatcher
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace
from tests.conftest import FakeClock

SIGNING_SECRET = "e2e-signing-secret"


@dataclass
class Slack:
    fake: FakeSlack
    send: SlackRequester
    service: LicensingService
    scheduled: ScheduledWork
    base_url: str
    background: list[threading.Thread] = field(default_factory=list)

    def settle(self) -> None:
        """Wait for the deliveries the app started after its answers."""
        for thread in list(self.background):
            thread.join(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: AsyncApp) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port; yield its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        SlackServer(app, SIGNING_SECRET),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


@pytest.fixture
def slack(engine: Engine, catalog: Catalog, clock: FakeClock) -> Iterator[Slack]:
    workspace = Workspace()
    with FakeSlack(workspace) as fake:
        fake.trigger_ttl = None  # a slow CI machine must not expire triggers
        settings = Settings(
            slack_bot_token="xoxb-e2e",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
        )
        sessions = make_session_factory(engine)
        service = LicensingService(sessions, catalog, clock)
        scheduled = ScheduledWork(sessions, catalog, clock)
        dispatcher = Dispatcher(
            scheduled,
            notice_message,
            lambda key: "xoxb-e2e",
            close=closed_notice,
            api_url=fake.api_url,
        )
        background: list[threading.Thread] = []

        def deliver_soon() -> None:
            thread = threading.Thread(target=dispatcher.deliver_due, daemon=True)
            background.append(thread)
            thread.start()

        with serving(build_app(settings, service, catalog, deliver_soon=deliver_soon)) as base:
            send = SlackRequester(base + EVENTS_PATH, SIGNING_SECRET, workspace, fake)
            slack = Slack(fake, send, service, scheduled, base, background)
            yield slack
            slack.settle()  # deliveries still running use the database the test drops next


def browse(url: str, cookie: str = "") -> tuple[int, str, str]:
    """GET like a browser: returns status, body and the cookie the page set. (Bolt's state
    cookie is `Secure`, so it is handed back by hand over plain loopback HTTP.)"""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            set_cookie = (response.headers.get("set-cookie") or "").split(";")[0]
            return response.status, response.read().decode(), set_cookie
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), ""


def oauth_install(base: str, code: str) -> int:
    """Run Slack's OAuth install from licensebot's install page, as a browser would; the
    stand-in installs according to `code` (see slack_standin's oauth.v2.access)."""
    _, page, cookie = browse(base + "/slack/install")
    state = re.search(r"state=([\w-]+)", page)
    assert state, page
    status, _, _ = browse(f"{base}/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie)
    return status
