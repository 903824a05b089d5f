"""The real bot, served on loopback and talking to the local Slack stand-in."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from datetime import datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.bootstrap import Components, build
from bot.payments import WEBHOOK_PATH
from bot.server import EVENTS_PATH, SlackServer
from bot.settings import Settings
from licensing.clock import ClockError, StoredTestClock
from licensing.db import make_engine, make_session_factory
from licensing.errors import LicensingError
from licensing.migrate import upgrade
from licensing.schemas import PeriodClosed
from sandbox.errors import StepFailed
from sandbox.payments import Notification, SimulatedProvider
from slack_standin.payloads import Response
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace

JsonDict = dict[str, Any]
# Generous, so that a loaded machine slows the sandbox down instead of failing it.
REQUEST_TIMEOUT_SECONDS = 60.0
SETTLE_TIMEOUT_SECONDS = 60.0
_POLL_SECONDS = 0.01


class SandboxRuntime:
    """A FakeSlack, the licensing components on `database_url` with the test clock, and the
    Bolt app served by uvicorn on a free loopback port, the same way as in production.
    Invoices are collected by the simulated provider `payments`; without one they are records
    only."""

    def __init__(
        self, settings: Settings, database_url: str, payments: SimulatedProvider | None = None
    ) -> None:
        self.workspace = Workspace()
        self.fake = FakeSlack(self.workspace)
        # Triggers are used by the bot at once; on a loaded machine that may take over
        # Slack's 3 s, which would only make the sandbox fail at random.
        self.fake.trigger_ttl = None
        self._signing_secret = secrets.token_hex(16)
        self._base_settings = settings
        self.database_url = database_url
        self.payments = payments
        self._base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._root_task: asyncio.Task[None] | None = None
        self.components: Components | None = None
        self._requester: SlackRequester | None = None

    def start(self) -> None:
        self.fake.start()
        settings = self._base_settings.model_copy(
            update={
                "database_url": self.database_url,
                "test_clock": True,
                "slack_bot_token": "xoxb-sandbox",
                "slack_signing_secret": self._signing_secret,
                "slack_api_url": self.fake.api_url,
                "slack_app_token": None,
                "slack_client_id": None,
                "slack_client_secret": None,
                "payments": "none",  # never a real provider: `payments` stands in for one
            }
        )
        self.components = build(settings, provider=self.payments)
        app = self.components.slack_app()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port
        self._base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self._serve(SlackServer(app, self._signing_secret, self.components.billing), listener)
        self._requester = SlackRequester(
            f"{self._base_url}{EVENTS_PATH}",
            self._signing_secret,
            self.workspace,
            self.fake,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)
        if self.components is not None:
            self.components.engine.dispose()
        self.fake.stop()

    def __enter__(self) -> SandboxRuntime:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def send(self) -> SlackRequester:
        """Sends requests to the bot as Slack does."""
        assert self._requester is not None, "start() first"
        return self._requester

    def notify(self, notification: Notification) -> None:
        """Post the payment provider's notification to the bot, as the provider would."""
        request = Request(
            f"{self._base_url}{WEBHOOK_PATH}",
            data=notification.payload,
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": notification.signature,
            },
            method="POST",
        )
        try:
            with urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as answer:
                answer.read()
        except HTTPError as refused:
            raise StepFailed(
                f"The bot answered the payment notification with HTTP {refused.code}."
            ) from None

    @staticmethod
    def answer(response: Response) -> JsonDict:
        """The body of the bot's answer, which must be a success as Slack expects."""
        if response.status != HTTPStatus.OK:
            raise StepFailed(f"The bot answered HTTP {response.status}: {response.body[:300]}")
        body = response.json()
        return body if isinstance(body, dict) else {}

    def sweep(self) -> list[PeriodClosed]:
        """Every sweep of the scheduler at once: period ends, reminders and the delivery of
        notices. Returns the periods it closed."""
        assert self.components is not None, "start() first"
        closed: list[PeriodClosed] = []
        self.components.sweeper.run_once(on_closed=closed.append)
        return closed

    @property
    def clock(self) -> StoredTestClock:
        assert self.components is not None, "start() first"
        clock = self.components.clock
        assert isinstance(clock, StoredTestClock)
        return clock

    def settle(self) -> None:
        """Wait until the bot has finished all it was doing, including the work it does after
        it has answered Slack."""
        assert self._loop is not None, "start() first"
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while self._busy_tasks() > 0:
            if time.monotonic() > deadline:
                raise StepFailed(f"The bot was still working after {SETTLE_TIMEOUT_SECONDS:g} s.")
            time.sleep(_POLL_SECONDS)

    def _busy_tasks(self) -> int:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(self._count_busy(), self._loop).result()

    async def _count_busy(self) -> int:
        idle = {self._root_task, asyncio.current_task()}
        return sum(1 for task in asyncio.all_tasks() if task not in idle)

    def _serve(self, app: SlackServer, listener: socket.socket) -> None:
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._server = server
        self._thread = threading.Thread(
            target=asyncio.run,
            args=(self._serve_until_stopped(app, server, listener),),
            daemon=True,
        )
        self._thread.start()
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the bot could not listen on {listener.getsockname()}")
            self._thread.join(_POLL_SECONDS)

    async def _serve_until_stopped(
        self, app: SlackServer, server: uvicorn.Server, listener: socket.socket
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._root_task = asyncio.current_task()
        try:
            await server.serve(sockets=[listener])
        finally:
            await app.close()


def parse_moment(text: str) -> datetime:
    """An ISO 8601 time with its offset, as the test clock takes it."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ClockError(
            f'"{text}" is not an ISO time with an offset, e.g. 2026-01-31T09:00:00+00:00.'
        )
    return moment


def prepare_database(database_url: str, start: datetime | None = None) -> None:
    """Migrate the database, any kind (the sandbox is its only user, so no other process
    races for it), and start a new database's test clock at `start` instead of now."""
    engine: Engine = make_engine(database_url)
    try:
        upgrade(engine)
        if start is not None:
            _start_clock(StoredTestClock(make_session_factory(engine)), start)
    except OperationalError as exc:
        raise LicensingError(f"Cannot use the database {database_url}: {exc.orig}") from None
    finally:
        engine.dispose()


def _start_clock(clock: StoredTestClock, start: datetime) -> None:
    try:
        already = clock.now()
    except ClockError:
        clock.set(start)
        return
    raise LicensingError(
        f"This database's clock already reads {already.isoformat()}; "
        "--start only applies to a new database."
    )
