"""`SocketModeRequester`: the slash commands, interactivity payloads and events of
`SlackPayloads`, sent in Socket Mode envelopes instead of signed HTTP posts."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from slack_standin.payloads import Response, SigningOverrides, SlackPayloads
from slack_standin.server import FakeSlack
from slack_standin.socket_mode import SocketModeSlack
from slack_standin.workspace import JsonDict, Workspace


class SocketModeRequester(SlackPayloads):
    """Each request is built by `SlackPayloads`, as `SlackRequester`'s are, so a payload has
    the same shape over both transports; it travels as an envelope, and the envelope's ack
    comes back as a `Response` (status 200, the ack's payload as its JSON body, an empty body
    for a bare ack)."""

    def __init__(
        self, socket: SocketModeSlack, workspace: Workspace, fake: FakeSlack, timeout: float = 30.0
    ) -> None:
        super().__init__(workspace, fake)
        self.socket = socket
        self.timeout = timeout

    def _send(self, body: str, content_type: str, overrides: SigningOverrides) -> Response:
        if overrides:
            raise ValueError("Socket Mode envelopes are not signed")
        kind, payload = _envelope_of(body, content_type)
        ack = self.socket.send(kind, payload, timeout=self.timeout)
        answer = "" if ack.payload is None else json.dumps(ack.payload)
        return Response(200, {"content-type": "application/json"}, answer)


def _envelope_of(body: str, content_type: str) -> tuple[str, JsonDict]:
    """The envelope type and payload of what Slack would have posted over HTTP."""
    if content_type == "application/json":
        return "events_api", json.loads(body)
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if set(fields) == {"payload"}:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", fields
