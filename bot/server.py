"""Serving the app: HTTP through uvicorn (ASGI), or Socket Mode."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.settings import Settings

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

EVENTS_PATH = "/slack/events"


class SlackServer:
    """ASGI: `POST /slack/events` to Bolt, `GET /healthz` for load balancers."""

    def __init__(self, app: AsyncApp) -> None:
        self._bolt = AsyncSlackRequestHandler(app, path=EVENTS_PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
        await self._bolt(scope, receive, send)


def serve(app: AsyncApp, settings: Settings) -> None:
    if settings.slack_app_token:
        handler = AsyncSocketModeHandler(app, settings.slack_app_token)
        asyncio.run(handler.start_async())  # type: ignore[no-untyped-call]
        return
    uvicorn.run(
        SlackServer(app), host=settings.host, port=settings.port, log_level="info", access_log=False
    )
