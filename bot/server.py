"""Serving the app: HTTP through uvicorn (ASGI), or Socket Mode."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import uvicorn
from slack_bolt.async_app import AsyncApp
from uvicorn.supervisors import Multiprocess

from bot.bootstrap import build
from bot.door import Answered, SlackDoor, read_body
from bot.logs import configure_logging
from bot.payments import WEBHOOK_PATH, receive_notification
from bot.settings import ConfigurationError, Settings
from bot.socket_mode import serve_socket_mode
from bot.wake import WakeListener, waker_for
from licensing.billing import Billing

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

EVENTS_PATH = "/slack/events"
WAKE_ADDRESS = "LICENSEBOT_WAKE_SOCKET"  # set by the first process for its workers


class SlackServer:
    """ASGI: `POST /slack/events` through the door to Bolt, `GET /healthz` for load
    balancers, and `POST /stripe/webhook` when invoices are collected; `signing_secret` is
    the app's, which the door checks every request against."""

    def __init__(self, app: AsyncApp, signing_secret: str, billing: Billing | None = None) -> None:
        self._bolt = SlackDoor(app, signing_secret, path=EVENTS_PATH)
        self._client = app.client
        self._billing = billing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http" and scope["path"] == "/healthz":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": b"ok"})
            return
        if scope["type"] == "http" and scope["path"] == WEBHOOK_PATH and self._billing:
            await self._payment_notification(self._billing, scope, receive, send)
            return
        self._share_connections()
        await self._bolt(scope, receive, send)

    @staticmethod
    async def _payment_notification(
        billing: Billing, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Read the signed body whole (up to the door's limit), then act on it off the event
        loop: it reads and writes the database, and may ask the provider for a card."""
        status, answer = 405, "POST only"
        if scope["method"] == "POST":
            headers = dict(scope["headers"])
            signature = headers.get(b"stripe-signature", b"").decode("latin-1")
            try:
                body = await read_body(receive)
            except Answered as refused:
                status, answer = refused.status, refused.reason
            else:
                status, answer = await asyncio.to_thread(
                    receive_notification, billing, body, signature
                )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": answer.encode()})

    def _share_connections(self) -> None:
        """One aiohttp session for every Web API call, so that calls reuse connections rather
        than open one each. Bolt gives `app.client.session` to each request's client; it is
        made here because a session belongs to the running event loop."""
        session = self._client.session
        if session is None or session.closed:
            timeout = aiohttp.ClientTimeout(total=self._client.timeout)
            self._client.session = aiohttp.ClientSession(timeout=timeout)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Starting needs nothing; stopping closes the shared session."""
        while (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        await self.close()
        await send({"type": "lifespan.shutdown.complete"})

    async def close(self) -> None:
        """Close the shared session; for servers run without lifespan events."""
        if self._client.session is not None:
            await self._client.session.close()


def serve(
    app: AsyncApp,
    settings: Settings,
    deliver_soon: Callable[[], None],
    worker_factory: str = f"{__name__}:worker_app",
    billing: Billing | None = None,
) -> None:
    """Socket Mode, or HTTP in this process, or in `web_workers` processes that each build the
    app again with `worker_factory` (an import string). `deliver_soon` wakes the notice
    dispatcher of this process; workers ask for it through `bot.wake`."""
    if settings.slack_app_token:
        serve_socket_mode(app, settings)
        return
    options: dict[str, Any] = {"host": settings.host, "port": settings.port, "log_level": "info"}
    if settings.web_workers == 1:
        server = SlackServer(app, signing_secret(settings), billing)
        uvicorn.run(server, access_log=False, **options)
        return
    config = uvicorn.Config(
        worker_factory, factory=True, workers=settings.web_workers, access_log=False, **options
    )
    listener = config.bind_socket()
    # asyncio turns Nagle's algorithm off only on sockets made with IPPROTO_TCP, which this
    # one is not; Linux passes the option on to every connection it accepts. Without it, an
    # answer written in two parts waits for the client's delayed ACK: 40 ms a request.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    wake = WakeListener(deliver_soon)
    os.environ[WAKE_ADDRESS] = wake.address  # the workers' environment is a copy of this one
    try:
        Multiprocess(config, sockets=[listener]).run()
    finally:
        wake.close()
        listener.close()


def worker_app() -> SlackServer:
    """The app of one worker process, built from the environment as the first process was.
    The first process alone runs the scheduler; a change here wakes its dispatcher."""
    settings = Settings()
    configure_logging(settings.log_level)
    parts = build(settings, migrate_sqlite=False)  # the first process has migrated
    deliver_soon = waker_for(os.environ[WAKE_ADDRESS])
    return SlackServer(parts.slack_app(deliver_soon), signing_secret(settings), parts.billing)


def signing_secret(settings: Settings) -> str:
    """The secret HTTP mode checks every request against (`check_slack` asks for it too)."""
    if not settings.slack_signing_secret:
        raise ConfigurationError("SLACK_SIGNING_SECRET must be set to serve HTTP.")
    return settings.slack_signing_secret
