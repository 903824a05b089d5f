"""Where Slack's HTTP requests enter: Bolt's ASGI handler, with the body of a form post read
the way Slack writes it. Bolt takes any form body that holds the word "payload" for an
interactivity payload, so `/license buy payload` would otherwise reach no listener."""

from __future__ import annotations

from urllib.parse import parse_qsl

from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

FORM = "application/x-www-form-urlencoded"


class SlackDoor(AsyncSlackRequestHandler):
    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        bolt_request = AsyncBoltRequest(
            body=await request.get_raw_body(),
            query=request.query_string,
            headers=request.get_headers(),
        )
        return await self.app.async_dispatch(with_form_fields(bolt_request))


def with_form_fields(request: AsyncBoltRequest) -> AsyncBoltRequest:
    """A form post without a `payload` field (a slash command) read as its fields."""
    if request.body or request.content_type != FORM:
        return request
    fields = dict(parse_qsl(request.raw_body, keep_blank_values=True))
    if "payload" in fields:
        return request
    request.body = fields
    request.context = build_async_context(AsyncBoltContext({}), fields)
    return request
