"""A running FakeSlack (one plain workspace, or an Enterprise Grid org with a Slack Connect
partner), slack_sdk's client pointed at it, a bot endpoint that checks signatures as Bolt
does, and what the tests post."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from slack_standin.server import FakeSlack
from tests.orgs import acme, acme_eu, partner, solo

SECRET = "test-signing-secret"
MODAL = {
    "type": "modal",
    "callback_id": "buy",
    "private_metadata": '{"office": "berlin"}',
    "title": {"type": "plain_text", "text": "Buy seats"},
    "blocks": [],
}
NOTICE_BLOCKS = [
    {
        "type": "actions",
        "block_id": "notice",
        "elements": [
            {
                "type": "button",
                "action_id": "restore",
                "value": "3",
                "text": {"type": "plain_text", "text": "Restore 3 seats"},
            }
        ],
    }
]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url)


@pytest.fixture
def grid() -> Iterator[FakeSlack]:
    with FakeSlack(acme(), others=[acme_eu(), partner(), solo()]) as running:
        running.trigger_ttl = None
        yield running


def web(fake: FakeSlack, token: str) -> WebClient:
    return WebClient(token=token, base_url=fake.api_url, retry_handlers=[])


class _VerifyingHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        verifier = SignatureVerifier(SECRET)
        if not verifier.is_valid_request(body, dict(self.headers.items())):
            self._reply(401, {"error": "invalid signature"})
            return
        self._reply(200, _parsed(self.headers["Content-Type"], body))

    def _reply(self, status: int, data: dict[str, Any]) -> None:
        encoded = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _parsed(content_type: str, body: str) -> dict[str, Any]:
    if content_type == "application/json":
        return {"json": json.loads(body)}
    form = dict(parse_qsl(body))
    if "payload" in form:
        return {"payload": json.loads(form["payload"])}
    return {"form": form}


@pytest.fixture
def bot_url() -> Iterator[str]:
    """A bot endpoint answering with what it was sent (`form`, `payload` or `json`), after
    checking its signature with slack_sdk's SignatureVerifier."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VerifyingHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()
    server.server_close()
    thread.join()
