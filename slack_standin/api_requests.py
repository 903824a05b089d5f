"""Web API requests as slack_sdk sends them: arguments in the query string and in a form,
multipart or JSON body, the token in the Authorization header; and the replies to them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from slack_standin.workspace import JsonDict

_FREE_TEXT_PARAMS = frozenset({"text"})


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_json(
        cls, data: JsonDict, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
    ) -> Reply:
        return cls(status, json.dumps(data).encode(), headers=headers)


def request_params(query: str, content_type: str, raw: bytes) -> JsonDict:
    params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    params.update(_body_params(content_type, raw))
    return {key: _decode_json_value(key, value) for key, value in params.items()}


def _body_params(content_type: str, raw: bytes) -> JsonDict:
    text = raw.decode("utf-8")
    if not text.strip():
        return {}
    if content_type.startswith("multipart/form-data"):
        return _multipart_params(content_type, raw)
    if text.lstrip().startswith("{"):
        loaded = json_or_none(text)
        if isinstance(loaded, dict):
            return loaded
    return dict(parse_qsl(text, keep_blank_values=True))


def _multipart_params(content_type: str, raw: bytes) -> JsonDict:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    params: JsonDict = {}
    for part in BytesParser(policy=HTTP).parsebytes(head + raw).walk():
        if part.is_multipart():
            continue
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            params[name] = payload.decode("utf-8", errors="replace")
    return params


def _decode_json_value(key: str, value: Any) -> Any:
    """Slack accepts `blocks`, `view` and the like as JSON strings inside form bodies."""
    if not isinstance(value, str) or key in _FREE_TEXT_PARAMS or value[:1] not in ("{", "["):
        return value
    loaded = json_or_none(value)
    return loaded if isinstance(loaded, dict | list) else value


def json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[len("bearer ") :].strip()
    return None
