"""The Slack requests the HTTP benchmark sends, built by `SlackPayloads` as Slack shapes
them, kept as form bodies to be signed and sent by the load generator."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from commands import ids
from slack_standin.payloads import Response, SigningOverrides, SlackPayloads
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace

JsonDict = dict[str, Any]
_VIEW_ID_SLOT = "VIEWIDSLOT"


class _Capture(SlackPayloads):
    """Keeps the body of each request instead of sending it."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.bodies: list[str] = []

    def _send(self, body: str, content_type: str, overrides: SigningOverrides) -> Response:
        self.bodies.append(body)
        return Response(200, {}, "")


def _buy_values(send: SlackPayloads, count: int) -> dict[str, dict[str, JsonDict]]:
    return {
        ids.COUNT_BLOCK: {ids.COUNT_ACTION: send.number_input(count)},
        ids.PRODUCT_BLOCK: {ids.PRODUCT_ACTION: send.static_select("talk")},
        ids.OFFICE_BLOCK: {ids.OFFICE_ACTION: send.static_select("Main")},
    }


class SlackRequests:
    """Bodies of each kind of request. The modal steps start from views licensebot really
    opened: a `/license buy 3 talk` and its Next are sent first, through `live`."""

    def __init__(self, workspace: Workspace, fake: FakeSlack, live: SlackRequester) -> None:
        self.workspace = workspace
        self.fake = fake
        self.live = live
        self._view_numbers = itertools.count(1)

    def bodies(self, kind: str, count: int) -> list[str]:
        if kind == "confirm":
            return self._confirms(count)
        send_one = self._sender(kind)
        capture = _Capture(self.workspace)
        for _ in range(count):
            send_one(capture)
        return capture.bodies

    def _confirms(self, count: int) -> list[str]:
        """Each Confirm of its own review view: the view id is the idempotency key, so each
        one charges (a replayed one would only be looked up). One body is built, and the
        view id written into copies of it."""
        capture = _Capture(self.workspace)
        capture.view_submission({**self._review(), "id": _VIEW_ID_SLOT})
        [body] = capture.bodies
        return [body.replace(_VIEW_ID_SLOT, self._new_view_id()) for _ in range(count)]

    def _sender(self, kind: str) -> Callable[[SlackPayloads], object]:
        if kind == "status":
            return lambda send: send.slash_command("status")
        if kind == "buy":
            return lambda send: send.slash_command("buy 3 talk")
        if kind == "next":
            entry = self._entry()
            return lambda send: send.view_submission(entry, values=_buy_values(send, 3))
        if kind == "restore click":
            value = json.dumps({"product": "talk", "office": "Main", "count": 1})
            return lambda send: send.block_action(ids.OPEN_RESTORE, value=value)
        raise ValueError(f"no such request: {kind}")

    def _new_view_id(self) -> str:
        return f"VBENCH{next(self._view_numbers):07d}"

    def _entry(self) -> JsonDict:
        self.live.slash_command("buy 3 talk")
        return self.fake.latest_view()

    def _review(self) -> JsonDict:
        entry = self._entry()
        answer = self.live.view_submission(entry, values=_buy_values(self.live, 3)).json()
        if not answer or answer.get("response_action") != "update":
            raise RuntimeError(f"the Next of a purchase did not show its review: {answer}")
        return {**entry, **answer["view"], "id": entry["id"]}
