"""Small HTTP servers on loopback that the Stripe tests put around localstripe: a proxy that
injects faults or stands in for an endpoint localstripe lacks, a webhook receiver, and
licensebot's own HTTP server under uvicorn."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import queue
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import uvicorn
from aiohttp import web

from bot.server import SlackServer

HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection"}
STARTUP_SECONDS = 60


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """The app served on a free loopback port from a thread of its own, as its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


@dataclass
class Rule:
    method: str
    path: str  # a shell-style pattern: /v1/invoices/*/pay
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int | None  # None: every time

    def takes(self, request: web.Request) -> bool:
        matches = request.method == self.method and fnmatch.fnmatchcase(request.path, self.path)
        return matches and self.times != 0


@dataclass
class Proxy:
    """Forwards to localstripe, except requests a rule answers itself (the first `times`)."""

    upstream: str
    rules: list[Rule] = field(default_factory=list)
    answered: list[tuple[str, str, bytes]] = field(default_factory=list)

    def answer(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        self.rules.append(Rule(method, path, status, body, headers or {}, times))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        for rule in self.rules:
            if rule.takes(request):
                if rule.times is not None:
                    rule.times -= 1
                self.answered.append((request.method, request.path, body))
                return web.json_response(rule.body, status=rule.status, headers=rule.headers)
        return await self._forward(request, body)

    async def _forward(self, request: web.Request, body: bytes) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, self.upstream + request.path_qs, data=body, headers=headers
            ) as answer,
        ):
            return web.Response(
                body=await answer.read(), status=answer.status, content_type=answer.content_type
            )


def stripe_error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    """An error body as Stripe writes one."""
    error: dict[str, Any] = {"type": kind, "message": message}
    if code is not None:
        error["code"] = code
    return {"error": error}


PAY = "/v1/invoices/*/pay"
RATE_LIMITED = stripe_error("invalid_request_error", "Too many requests.", "rate_limit")
BROKEN = stripe_error("api_error", "Something went wrong on Stripe's end.")


class WebhookReceiver:
    """Keeps each webhook it is sent, as (payload, Stripe-Signature header)."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[bytes, str]] = queue.Queue()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/stripe", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.read()
        self.received.put((payload, request.headers.get("Stripe-Signature", "")))
        return web.json_response({"received": json.loads(payload)["id"]})


@contextmanager
def serving_licensebot(server: SlackServer) -> Iterator[str]:
    """licensebot's server under uvicorn, as `licensebot run` serves HTTP, on a socket bound
    to a free loopback port beforehand, from a thread of its own; yields its base URL once
    uvicorn says it has started (lifespan startup done, the socket listening) and
    `GET /healthz` answers 200, waiting up to STARTUP_SECONDS for both."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(server, log_level="warning", lifespan="on")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not uvicorn_server.started:
            if not thread.is_alive():
                pytest.fail("uvicorn stopped before it started serving licensebot")
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start serving licensebot in {STARTUP_SECONDS} s")
            thread.join(0.05)
        with urllib.request.urlopen(f"{url}/healthz", timeout=STARTUP_SECONDS) as answer:
            assert answer.status == 200
        yield url
    finally:
        uvicorn_server.should_exit = True
        thread.join(30)
        sock.close()
