"""What the stand-in's Web API accepts: required arguments, Slack's limits on views and
messages, tokens; and the error that answers `{"ok": false, ...}` when they are not met."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from slack_standin.workspace import JsonDict

_VIEW_TITLE_MAX = 24
_PRIVATE_METADATA_MAX = 3000
_VIEW_BLOCKS_MAX = 100
_MESSAGE_BLOCKS_MAX = 50


class ApiError(Exception):
    """Makes a Web API method answer `{"ok": false, "error": ...}`."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages

    def to_json(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


def param(params: Mapping[str, Any], name: str, error: str = "invalid_arguments") -> str:
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(error, f"[ERROR] missing required field: {name}")
    return str(value)


def object_param(params: Mapping[str, Any], name: str) -> JsonDict:
    value = params.get(name)
    if not isinstance(value, dict):
        raise ApiError("invalid_arguments", f"[ERROR] missing required field: {name}")
    return copy.deepcopy(value)


def int_param(params: Mapping[str, Any], name: str, default: int) -> int:
    try:
        return int(params.get(name) or default)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments", f"[ERROR] {name} must be a number") from None


def check_view(view: JsonDict) -> None:
    for key in ("title", "submit", "close"):
        part = view.get(key)
        text = str(part.get("text", "")) if isinstance(part, dict) else ""
        if len(text) > _VIEW_TITLE_MAX:
            pointer = f"[json-pointer:/view/{key}/text]"
            raise ApiError("invalid_arguments", f"[ERROR] must be at most 24 characters {pointer}")
    if len(str(view.get("private_metadata", ""))) > _PRIVATE_METADATA_MAX:
        raise ApiError("invalid_arguments", "[ERROR] private_metadata is too long")
    if len(view.get("blocks", [])) > _VIEW_BLOCKS_MAX:
        raise ApiError("invalid_arguments", "[ERROR] no more than 100 items allowed")


def check_message_content(params: Mapping[str, Any]) -> None:
    blocks = params.get("blocks")
    if not (params.get("text") or blocks or params.get("attachments")):
        raise ApiError("no_text")
    if blocks is not None and (not isinstance(blocks, list) or len(blocks) > _MESSAGE_BLOCKS_MAX):
        raise ApiError("invalid_blocks")


def check_token(token: str | None) -> None:
    if not token:
        raise ApiError("not_authed")
    if not token.startswith("xox"):
        raise ApiError("invalid_auth")
