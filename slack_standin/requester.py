"""`SlackRequester`: sends the bot slash commands, interactivity payloads and events as Slack
does, signed with the app's signing secret."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from email.message import Message
from urllib.parse import urlsplit

from slack_sdk.signature import SignatureVerifier

from slack_standin.payloads import Response, SigningOverrides, SlackPayloads
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace

FRAMING = (b"content-length", b"transfer-encoding")  # the headers that say where a body ends


def slack_signature(signing_secret: str, timestamp: str, body: str) -> str:
    """The `X-Slack-Signature` of a request, as slack_sdk computes it to verify one."""
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None  # None only without a timestamp
    return signature


def byte_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` of a body of any bytes (slack_sdk signs only UTF-8 text)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SlackRequester(SlackPayloads):
    """Posts signed requests, built by `SlackPayloads` as Slack shapes them, to the bot's HTTP
    endpoint."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        workspace: Workspace,
        fake: FakeSlack | None = None,
        *,
        timeout: float = 10.0,
        org_wide: bool = False,
    ) -> None:
        super().__init__(workspace, fake, org_wide=org_wide)
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def post_raw(self, body: bytes, headers: Sequence[tuple[bytes, bytes]]) -> Response:
        """POST these bytes with exactly these headers, however malformed: repeated, not
        ASCII, or a Content-Length that promises more than the body (one is added unless it or
        a Transfer-Encoding is given). The connection stays open until the answer."""
        url = urlsplit(self.events_url)
        lines = [b"POST " + url.path.encode() + b" HTTP/1.1", b"Host: " + url.netloc.encode()]
        lines += [name + b": " + value for name, value in headers]
        if not any(name.lower() in FRAMING for name, _ in headers):
            lines.append(b"Content-Length: " + str(len(body)).encode())
        with socket.create_connection((url.hostname, url.port or 80), self.timeout) as sock:
            sock.sendall(b"\r\n".join([*lines, b"", body]))
            reply = http.client.HTTPResponse(sock)
            reply.begin()
            with reply:
                return Response(reply.status, _lower_keys(reply.msg), reply.read().decode())

    def _send(self, body: str, content_type: str, overrides: SigningOverrides) -> Response:
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0"}
        if not overrides.get("unsigned", False):
            headers.update(self._signature_headers(body, overrides))
        request = urllib.request.Request(
            self.events_url, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as reply:
                return Response(reply.status, _lower_keys(reply.headers), reply.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, _lower_keys(error.headers), error.read().decode())

    def _signature_headers(self, body: str, overrides: SigningOverrides) -> dict[str, str]:
        timestamp = overrides.get("timestamp")
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = overrides.get("signature")
        if signature is None:
            signature = slack_signature(self.signing_secret, ts, body)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def _lower_keys(headers: Message) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}
