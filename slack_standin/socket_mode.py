"""`SocketModeSlack`: Slack's Socket Mode on loopback. `apps.connections.open` on a FakeSlack's
Web API hands out a one-time websocket URL; the socket greets the app with `hello`, carries
envelopes to it and takes its acks back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web

from slack_standin.server import FakeSlack
from slack_standin.workspace import JsonDict

T = TypeVar("T")

# How long an app told to disconnect has to close its socket itself before Slack closes it.
DISCONNECT_GRACE_SECONDS = 10.0

# The interactions whose ack may carry an answer (response_action, options); Slack ignores the
# payload of any other ack.
_ANSWERED_INTERACTIONS = frozenset({"view_submission", "block_suggestion"})


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: JsonDict | None  # what the app answered, if anything


class SocketModeSlack:
    """Socket Mode for the app whose Web API is `fake`, served from a thread of its own.

    `send` puts an envelope on the newest open socket and waits for its ack; `close_sockets`
    closes them from Slack's side, after which the app must ask for a new URL.
    """

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.connections = 0  # sockets opened since start
        self._changed = threading.Condition()
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._ended: dict[web.WebSocketResponse, asyncio.Event] = {}  # read in the server's loop
        self._acks: dict[str, Ack] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port = 0
        fake.add_method("apps.connections.open", self._connections_open)

    # lifecycle

    def start(self) -> None:
        if self._loop is not None:
            raise RuntimeError("SocketModeSlack is already running")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fake-slack-socket-mode", daemon=True
        )
        self._thread.start()
        self._run(self._listen(), timeout=10)

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self.close_sockets()
        if self._runner is not None:
            self._run(self._runner.cleanup(), timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._thread = self._runner = None

    def __enter__(self) -> SocketModeSlack:
        if self._loop is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # what the tests do

    def wait_for_connection(self, count: int = 1, timeout: float = 30.0) -> None:
        """Block until `count` sockets have been opened since start and one is open."""
        with self._changed:
            if not self._changed.wait_for(
                lambda: self.connections >= count and bool(self._sockets), timeout
            ):
                raise TimeoutError(
                    f"Socket Mode connection {count} not open within {timeout:g} s; "
                    f"{self.connections} opened, {len(self._sockets)} open now"
                )

    def wait_for_no_socket(self, timeout: float = 30.0) -> None:
        """Block until every socket is closed (by the app, or by `close_sockets`)."""
        with self._changed:
            if not self._changed.wait_for(lambda: not self._sockets, timeout):
                raise TimeoutError(f"{len(self._sockets)} socket(s) still open after {timeout:g} s")

    def send(self, kind: str, payload: JsonDict, timeout: float = 30.0) -> Ack:
        """Put an envelope of `kind` (slash_commands, interactive, events_api) on the newest
        open socket, waiting for one if the app is reconnecting, and wait for its ack."""
        envelope: JsonDict = {
            "envelope_id": str(uuid.uuid4()),
            "type": kind,
            "payload": payload,
            "accepts_response_payload": _accepts_response_payload(kind, payload),
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        what = f"{kind} envelope ({_summary(kind, payload)})"
        deadline = time.monotonic() + timeout
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._sockets), timeout):
                raise TimeoutError(f"no socket open to send the {what} within {timeout:g} s")
            socket = self._sockets[-1]
        self._run(socket.send_json(envelope), timeout=timeout)
        with self._changed:
            if not self._changed.wait_for(
                lambda: envelope["envelope_id"] in self._acks, deadline - time.monotonic()
            ):
                raise TimeoutError(f"no ack of the {what} within {timeout:g} s")
            return self._acks.pop(envelope["envelope_id"])

    def close_sockets(self, reason: str | None = None) -> int:
        """Close every open socket from Slack's side, as when Slack restarts. With a `reason`
        (e.g. "refresh_requested") Slack's `disconnect` message goes first, and the app has a
        while to open a new socket and close the old one itself. Returns how many."""
        with self._changed:
            closing, self._sockets = self._sockets, []
        for socket in closing:
            self._run(self._close(socket, reason), timeout=30)
        return len(closing)

    # serving (in the server's thread)

    async def _listen(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self._link)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    def _connections_open(self, params: JsonDict, token: str | None) -> JsonDict:
        """Called from the Web API's threads: an app-level token gets a one-time socket URL."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            error = "not_allowed_token_type" if token.startswith("xox") else "invalid_auth"
            return {"ok": False, "error": error}
        ticket = uuid.uuid4().hex
        with self._changed:
            self._tickets.add(ticket)
        app_id = self.fake.workspace.app_id
        return {
            "ok": True,
            "url": f"ws://127.0.0.1:{self._port}/link/?ticket={ticket}&app_id={app_id}",
        }

    async def _link(self, request: web.Request) -> web.StreamResponse:
        with self._changed:
            ticket = request.query.get("ticket", "")
            known = ticket in self._tickets
            self._tickets.discard(ticket)
        if not known:
            return web.Response(status=401, text="invalid_ticket")
        socket = web.WebSocketResponse()  # answers the app's pings by itself
        await socket.prepare(request)
        with self._changed:
            hello = self._hello(len(self._sockets) + 1)
        await socket.send_json(hello)
        self._ended[socket] = asyncio.Event()
        with self._changed:
            self._sockets.append(socket)
            self.connections += 1
            self._changed.notify_all()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            self._ended.pop(socket).set()
            with self._changed:
                if socket in self._sockets:
                    self._sockets.remove(socket)
                self._changed.notify_all()
        return socket

    def _hello(self, num_connections: int) -> JsonDict:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {"host": "slack-standin", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.fake.workspace.app_id},
        }

    def _receive(self, data: str) -> None:
        message = json.loads(data)
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        ack = Ack(str(message["envelope_id"]), message.get("payload"))
        with self._changed:
            self._acks[ack.envelope_id] = ack
            self._changed.notify_all()

    async def _close(self, socket: web.WebSocketResponse, reason: str | None) -> None:
        ended = self._ended.get(socket)
        if reason is not None and ended is not None:
            await socket.send_json({"type": "disconnect", "reason": reason})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ended.wait(), DISCONNECT_GRACE_SECONDS)
        await socket.close(code=WSCloseCode.GOING_AWAY, message=b"closed by Slack")

    def _run(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        if self._loop is None:
            raise RuntimeError("SocketModeSlack is not running; call start()")
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)


def _accepts_response_payload(kind: str, payload: JsonDict) -> bool:
    if kind == "slash_commands":
        return True
    return kind == "interactive" and payload.get("type") in _ANSWERED_INTERACTIONS


def _summary(kind: str, payload: JsonDict) -> str:
    if kind == "slash_commands":
        return f"{payload.get('command')} {payload.get('text')}".strip()
    if kind == "events_api":
        return str(payload.get("event", {}).get("type"))
    return str(payload.get("type"))
