"""`FakeSlack`: the stand-in's Web API served over HTTP on loopback, with every call recorded
(`recording`), response_urls that act on their messages, and faults to inject (`faults`)."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import quote, unquote, urlsplit

from slack_standin.api_requests import Reply, bearer_token, json_or_none, request_params
from slack_standin.arguments import ApiError
from slack_standin.faults import Fault, Faults, PostLimit
from slack_standin.recording import CallRecording, RecordedCall
from slack_standin.web_api import WebApi
from slack_standin.workspace import JsonDict, Workspace

# Answers a Web API method that WebApi does not know: (arguments, token) -> the JSON reply.
Method = Callable[[JsonDict, str | None], JsonDict]


@dataclass(frozen=True)
class _ResponseTarget:
    channel: str | None
    message_ts: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a loaded bot opens many connections at once

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are written apart; with Nagle's algorithm on, a kept-alive connection
    # waits for the client's delayed ACK between them.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; every call is recorded on the FakeSlack instead."""

    def _dispatch(self) -> None:
        fake = cast(_Server, self.server).fake
        fake._flights.begin()
        try:
            self._send(self._reply(fake))
        finally:
            fake._flights.end()

    def _reply(self, fake: FakeSlack) -> Reply:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/api/"):
            params = request_params(url.query, self.headers.get("Content-Type", ""), raw)
            token = bearer_token(self.headers.get("Authorization"))
            token = token or _optional_str(params.pop("token", None))
            reply = fake._answer_api(url.path.removeprefix("/api/"), params, token)
            if fake.latency:  # the call has taken effect; its answer is on its way
                time.sleep(fake.latency)
        elif url.path.startswith("/response/") and self.command == "POST":
            reply = fake._answer_response_url(unquote(url.path.removeprefix("/response/")), raw)
        else:
            reply = Reply.of_json({"ok": False, "error": "not_found"}, HTTPStatus.NOT_FOUND)
        return reply

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


class FakeSlack(CallRecording):
    """A Slack Web API on 127.0.0.1 with inspectable state, call recording and fault injection.

    State (`messages`, `views`, ...) is shared with the server thread; read it after
    `wait_for` so the call that changes it has been answered.

    It may hold several workspaces (`others`, `add_workspace`), in Enterprise Grid orgs or
    not; `workspace` is the first, for which the configured bot token acts. See
    `slack_standin.tokens` for the tokens of the others and of org-wide installs.
    """

    def __init__(
        self, workspace: Workspace | None = None, others: Iterable[Workspace] = ()
    ) -> None:
        super().__init__()
        self.workspace = workspace or Workspace()
        self._api = WebApi(self.workspace, others)
        self._faults = Faults()
        self._response_targets: dict[str, _ResponseTarget] = {}
        self._more_methods: dict[str, Method] = {}
        self.latency = 0.0  # seconds every Web API call takes to answer, after taking effect
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("FakeSlack is already running")
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        if self._server is None:
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
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start()")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}api/"

    def response_url_for(
        self, name: str, *, channel: str | None = None, message_ts: str | None = None
    ) -> str:
        """A response_url recording what is posted to it. Bound to a message (channel and ts),
        `replace_original` and `delete_original` change that message as Slack would."""
        with self._changed:
            self._response_targets[name] = _ResponseTarget(channel, message_ts)
        return f"{self.base_url}response/{quote(name, safe='')}"

    # workspaces and installs

    @property
    def workspaces(self) -> tuple[Workspace, ...]:
        """Every workspace, the first (`workspace`) first."""
        with self._changed:
            return tuple(self._api.directory.workspaces)

    def add_workspace(self, workspace: Workspace) -> Workspace:
        """Hold one more workspace. Its channel ids must be its own; its user ids too, unless
        it is in the same org as the workspace that has them (a Grid user)."""
        with self._changed:
            self._api.directory.add(workspace)
        return workspace

    def revoke(self, token: str) -> None:
        """Every call with `token` answers `token_revoked`, until an install issues it again."""
        with self._changed:
            self._api.tokens.revoke(token)

    def uninstall(self, team_or_enterprise_id: str) -> None:
        """Every token acting for that workspace (the configured one included, for the first)
        or org answers `token_revoked`, until the app is installed there again."""
        with self._changed:
            self._api.tokens.uninstall(team_or_enterprise_id)

    def add_method(self, name: str, answer: Method) -> None:
        """Answer one more Web API method (Socket Mode adds `apps.connections.open`); its calls
        are recorded and can be made to fail like the others."""
        with self._changed:
            self._more_methods[name] = answer

    # state

    @property
    def messages(self) -> dict[str, list[JsonDict]]:
        return self._api.state.messages

    @property
    def ephemerals(self) -> dict[str, list[JsonDict]]:
        return self._api.state.ephemerals

    @property
    def views(self) -> dict[str, JsonDict]:
        return self._api.state.views

    @property
    def home_tabs(self) -> dict[str, JsonDict]:
        """User id → the Home tab view last published for them."""
        return self._api.state.home_tabs

    @property
    def trigger_ttl(self) -> float | None:
        """Seconds a registered trigger_id stays usable (Slack: 3); None to never expire."""
        return self._api.state.trigger_ttl

    @trigger_ttl.setter
    def trigger_ttl(self, seconds: float | None) -> None:
        self._api.state.trigger_ttl = seconds

    def latest_view(self) -> JsonDict:
        """The modal the bot most recently opened, pushed or updated (not a Home tab)."""
        with self._changed:
            return self._api.views.latest_view()

    def register_trigger(self, trigger_id: str, team_id: str | None = None) -> None:
        """A trigger_id sent to the bot, from workspace `team_id` (where a view it opens is
        shown)."""
        with self._changed:
            self._api.state.triggers[trigger_id] = time.monotonic()
            if team_id is not None:
                self._api.state.trigger_teams[trigger_id] = team_id

    def next_ts(self) -> str:
        with self._changed:
            return self._api.state.next_ts()

    # rate limits and fault injection

    def limit_posts(self, per_second: float = 1.0, burst: float = 3.0) -> None:
        """Answer chat.postMessage 429 with Retry-After beyond `per_second` messages a second
        to one channel, after a burst of `burst`, as Slack does."""
        with self._changed:
            self._faults.post_limit = PostLimit(per_second, burst)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        times: int = 1,
        retry_after: int = 1,
        error: str | None = None,
        applied: bool = False,
        channel: str | None = None,
    ) -> None:
        """The next `times` calls of `method` fail: HTTP `status` (429 with Retry-After), or
        HTTP 200 `{"ok": false, "error": error}` when `error` is given. With `applied` the call
        takes effect first, as when Slack posts a message but the answer is lost. With
        `channel`, only calls to that channel fail. `method` may also be "response_url"."""
        fault = Fault(status, retry_after, error, applied, channel)
        with self._changed:
            self._faults.add(method, fault, times)

    # answering (called from the server's threads)

    def _answer_api(self, method: str, params: JsonDict, token: str | None) -> Reply:
        with self._changed:
            fault = self._faults.take(method, params)
            if fault is not None:
                if fault.status == HTTPStatus.TOO_MANY_REQUESTS and fault.error is None:
                    self.rate_limited += 1
                if fault.applied:
                    self._call(method, copy.deepcopy(params), token)
                self._record(RecordedCall(method, params, token, failed=True))
                return fault.reply()
            result = self._call(method, copy.deepcopy(params), token)
            self._record(RecordedCall(method, params, token, response=result))
            return Reply.of_json(result)

    def _call(self, method: str, params: JsonDict, token: str | None) -> JsonDict:
        answer = self._more_methods.get(method)
        return self._api.call(method, params, token) if answer is None else answer(params, token)

    def _answer_response_url(self, name: str, raw: bytes) -> Reply:
        body = json_or_none(raw.decode("utf-8"))
        if not isinstance(body, dict):
            return Reply(HTTPStatus.BAD_REQUEST, b"invalid_payload", "text/plain")
        with self._changed:
            fault = self._faults.take("response_url", {})
            self._record(RecordedCall("response_url", body, None, failed=fault is not None))
            if fault is not None:
                return fault.reply()
            self.responses.setdefault(name, []).append(body)
            self._apply_response(self._response_targets.get(name), body)
            return Reply.of_json({"ok": True})

    def _apply_response(self, target: _ResponseTarget | None, body: JsonDict) -> None:
        if target is None or target.channel is None or target.message_ts is None:
            return
        try:
            message = self._api.chat.find_message(target.channel, target.message_ts)
        except ApiError:
            return
        if body.get("delete_original"):
            self._api.chat.delete_message(target.channel, target.message_ts)
        elif body.get("replace_original"):
            self._api.chat.edit_message(message, body)
