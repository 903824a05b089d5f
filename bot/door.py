"""Where Slack's HTTP requests enter: `POST /slack/events`, checked before Bolt reads it.

A request that is not correctly signed gets 401, whatever else is wrong with it (but for
Slack's SSL check, which Slack sends unsigned); a body over 1 MB gets 413, unread past the
limit; a content type Slack does not send, or a signed body
Slack would never send (not UTF-8, JSON that is not an object), gets 400. Only then does Bolt
see the request, and check its signature again. Other paths (OAuth) go to Bolt's handler.

The door reads the body itself, as Slack writes it: a form post is an interactivity payload
only when it has a `payload` field (Bolt takes any form body holding the word "payload" for
one, so `/license buy payload` would otherwise reach no listener).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import parse_qsl

from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.asgi.http_response import AsgiHttpResponse
from slack_bolt.adapter.asgi.utils import scope_type
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CHARSETS = ("charset=utf-8", 'charset="utf-8"')
TIMESTAMP = re.compile("[0-9]{1,12}")  # int() alone also takes "+1", "1_0" and "١"
SIGNATURE = re.compile("v0=[0-9a-f]{64}")
SIGNING_HEADERS = {"x-slack-request-timestamp", "x-slack-signature"}

Headers = dict[str, list[str]]


class Answered(Exception):
    """The door's own answer to a request it does not pass on: by default, 400."""

    status, reason = 400, "not a request Slack sends"


class Unsigned(Answered):
    status, reason = 401, "invalid request signature"


class TooLarge(Answered):
    status, reason = 413, f"the body is over {MAX_BODY_BYTES} bytes"


class SslCheck(Answered):
    """Slack's check of the certificate, which it sends unsigned; Bolt would answer it so."""

    status, reason = 200, ""


class BodySignatureVerifier(SignatureVerifier):
    """slack_sdk's check (a whole-second timestamp within 5 minutes, a constant-time compare)
    of the signature of the body's bytes: slack_sdk decodes them as UTF-8 first, which fails
    on a body that is not, before it could tell a forged one from a signed one."""

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str | None:
        raw = body.encode() if isinstance(body, str) else body
        signed = b"v0:" + timestamp.encode() + b":" + raw
        return "v0=" + hmac.new(self.signing_secret.encode(), signed, hashlib.sha256).hexdigest()


class SlackDoor(AsyncSlackRequestHandler):
    def __init__(self, app: AsyncApp, signing_secret: str, path: str) -> None:
        super().__init__(app, path)
        self._verifier = BodySignatureVerifier(signing_secret)

    async def __call__(
        self, scope: scope_type, receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if (scope["type"], scope.get("method"), scope.get("path")) != ("http", "POST", self.path):
            await super().__call__(scope, receive, send)
            return
        try:
            request = await self._let_in(scope, receive)
        except Answered as stop:
            log.info("answered at the door of %s: %s %s", self.path, stop.status, stop.reason)
            response = BoltResponse(status=stop.status, body=stop.reason)
        else:
            response = await self.app.async_dispatch(request)
        answer = AsgiHttpResponse(response.status, response.headers, response.body)
        await send(answer.get_response_start())
        await send(answer.get_response_body())

    async def _let_in(self, scope: scope_type, receive: Callable[..., Any]) -> AsyncBoltRequest:
        headers = _headers(scope)
        signing = None if SIGNING_HEADERS.isdisjoint(headers) else _signing(headers)
        body = await read_body(receive)
        if signing is None:
            raise SslCheck() if _is_ssl_check(body, headers) else Unsigned()
        if not self._verifier.is_valid(body, *signing):
            raise Unsigned()
        media_type = _media_type(headers)
        return slack_request(body, media_type, cast(bytes, scope["query_string"]), headers)


def _headers(scope: scope_type) -> Headers:
    """Every value of every header; Latin-1 reads any bytes, and Slack's are ASCII."""
    headers: Headers = {}
    for name, value in cast(list[tuple[bytes, bytes]], scope["headers"]):
        headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return headers


def _is_ssl_check(body: bytes, headers: Headers) -> bool:
    if headers.get("content-type") != [FORM] or not body.isascii():
        return False
    fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    return fields.get("ssl_check") == "1" and fields.keys() <= {"ssl_check", "token"}


def _signing(headers: Headers) -> tuple[str, str]:
    """The one timestamp (whole seconds) and the one signature of the request, or 401."""
    timestamps = headers.get("x-slack-request-timestamp", [])
    signatures = headers.get("x-slack-signature", [])
    if len(timestamps) != 1 or len(signatures) != 1:
        raise Unsigned()
    [timestamp], [signature] = timestamps, signatures
    if not (TIMESTAMP.fullmatch(timestamp) and SIGNATURE.fullmatch(signature)):
        raise Unsigned()
    return timestamp, signature


async def read_body(receive: Callable[..., Any]) -> bytes:
    """The body, read in the chunks it comes in, and no further than the limit."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left before the end
            raise Answered()
        body += message.get("body", b"")
        if len(body) > MAX_BODY_BYTES:
            raise TooLarge()
        if not message.get("more_body", False):
            return bytes(body)


def _media_type(headers: Headers) -> str:
    """A form post or JSON, in UTF-8 if a charset is named, or 400."""
    content_types = headers.get("content-type", [])
    if len(content_types) != 1:
        raise Answered()
    media_type, *parameters = (part.strip().lower() for part in content_types[0].split(";"))
    if media_type not in (FORM, JSON) or any(
        p.replace(" ", "") not in CHARSETS for p in parameters
    ):
        raise Answered()
    return media_type


def slack_request(body: bytes, media_type: str, query: bytes, headers: Headers) -> AsyncBoltRequest:
    """The request as Bolt reads it, its body read by the door, or 400."""
    try:
        text, query_text = body.decode(), query.decode()
    except UnicodeDecodeError as exc:
        raise Answered() from exc
    fields = _json_object(text) if media_type == JSON else _form_fields(text)
    request = AsyncBoltRequest(body="", query=query_text, headers=dict(headers))
    request.raw_body, request.body = text, fields
    try:
        request.context = build_async_context(AsyncBoltContext({}), fields)
    except (AttributeError, TypeError, KeyError, IndexError) as exc:  # not the shape of Slack's
        raise Answered() from exc
    return request


def _form_fields(text: str) -> dict[str, Any]:
    """A form post: an interactivity payload if it has a `payload` field (a JSON object),
    else its fields (a slash command)."""
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        return _json_object(fields["payload"])
    if not fields:
        raise Answered()
    return fields


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Answered() from exc
    if not isinstance(value, dict):
        raise Answered()
    return value
