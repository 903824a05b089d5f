"""The local Slack stand-in: a fake Slack Web API and a client that calls the bot as Slack does.

`FakeSlack` is a real HTTP server on loopback that answers the Web API methods the bot uses
(point slack_sdk's `base_url` at `FakeSlack.api_url`) and records every call. `SlackRequester`
posts signed slash commands, interactivity payloads and events to the bot's HTTP endpoint.
Both use only the standard library, so end-to-end tests, the terminal sandbox and benchmarks
exercise the same HTTP, signing and JSON handling as production.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypedDict, Unpack, cast
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

JsonDict = dict[str, Any]

VERIFICATION_TOKEN = "legacy-verification-token"
TRIGGER_TTL_SECONDS = 3.0
_FIRST_TS = 1_700_000_000
_VIEW_TITLE_MAX = 24
_PRIVATE_METADATA_MAX = 3000
_VIEW_BLOCKS_MAX = 100
_MESSAGE_BLOCKS_MAX = 50
_FREE_TEXT_PARAMS = frozenset({"text"})


# --- The workspace ----------------------------------------------------------------------------


@dataclass
class SlackUser:
    id: str
    name: str
    real_name: str
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_bot: bool = False
    tz: str = "UTC"

    def to_api(self, team_id: str) -> JsonDict:
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "tz": self.tz,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "team": team_id,
            },
        }


@dataclass
class SlackChannel:
    id: str
    name: str
    is_archived: bool = False
    is_member: bool = True

    def to_api(self, team_id: str) -> JsonDict:
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": False,
            "is_general": self.name == "general",
            "is_archived": self.is_archived,
            "is_member": self.is_member,
            "context_team_id": team_id,
            "created": _FIRST_TS,
        }


def _default_users() -> list[SlackUser]:
    return [
        SlackUser("UOWNER", "olivia", "Olivia Owens", is_admin=True, is_owner=True),
        SlackUser("UADMIN", "adam", "Adam Adler", is_admin=True),
        SlackUser("UDANA", "dana", "Dana Diaz"),
        SlackUser("UERIK", "erik", "Erik Eriksen"),
        SlackUser("UFAY", "fay", "Fay Fischer"),
        SlackUser("UGUS", "gus", "Gus Garcia"),
        SlackUser("UGONE", "gone", "Former Employee", deleted=True),
        SlackUser("UBOT", "licensebot", "License Bot", is_bot=True),
    ]


def _default_channels() -> list[SlackChannel]:
    return [
        SlackChannel("C0GENERAL", "general"),
        SlackChannel("C0LICENSES", "licenses"),
        SlackChannel("C0ARCHIVED", "old-stuff", is_archived=True),
    ]


@dataclass
class Workspace:
    team_id: str = "T0001"
    team_name: str = "Acme"
    domain: str = "acme"
    app_id: str = "A0001"
    bot_user_id: str = "UBOT"
    bot_id: str = "B0001"
    users: list[SlackUser] = field(default_factory=_default_users)
    channels: list[SlackChannel] = field(default_factory=_default_channels)

    @property
    def url(self) -> str:
        return f"https://{self.domain}.slack.com/"

    def user(self, user_id: str) -> SlackUser | None:
        return next((u for u in self.users if u.id == user_id), None)

    def user_by_name(self, name: str) -> SlackUser:
        found = next((u for u in self.users if u.name == name), None)
        if found is None:
            raise KeyError(name)
        return found

    def channel(self, channel_id: str) -> SlackChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def channel_by_name(self, name: str) -> SlackChannel | None:
        return next((c for c in self.channels if c.name == name.lstrip("#")), None)


# --- The Web API's behaviour, without HTTP ---------------------------------------------------


class _ApiError(Exception):
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


def _param(params: Mapping[str, Any], name: str, error: str = "invalid_arguments") -> str:
    value = params.get(name)
    if value is None or value == "":
        raise _ApiError(error, f"[ERROR] missing required field: {name}")
    return str(value)


def _object_param(params: Mapping[str, Any], name: str) -> JsonDict:
    value = params.get(name)
    if not isinstance(value, dict):
        raise _ApiError("invalid_arguments", f"[ERROR] missing required field: {name}")
    return copy.deepcopy(value)


def _int_param(params: Mapping[str, Any], name: str, default: int) -> int:
    try:
        return int(params.get(name) or default)
    except (TypeError, ValueError):
        raise _ApiError("invalid_arguments", f"[ERROR] {name} must be a number") from None


def _check_view(view: JsonDict) -> None:
    for key in ("title", "submit", "close"):
        part = view.get(key)
        text = str(part.get("text", "")) if isinstance(part, dict) else ""
        if len(text) > _VIEW_TITLE_MAX:
            pointer = f"[json-pointer:/view/{key}/text]"
            raise _ApiError("invalid_arguments", f"[ERROR] must be at most 24 characters {pointer}")
    if len(str(view.get("private_metadata", ""))) > _PRIVATE_METADATA_MAX:
        raise _ApiError("invalid_arguments", "[ERROR] private_metadata is too long")
    if len(view.get("blocks", [])) > _VIEW_BLOCKS_MAX:
        raise _ApiError("invalid_arguments", "[ERROR] no more than 100 items allowed")


def _check_message_content(params: Mapping[str, Any]) -> None:
    blocks = params.get("blocks")
    if not (params.get("text") or blocks or params.get("attachments")):
        raise _ApiError("no_text")
    if blocks is not None and (not isinstance(blocks, list) or len(blocks) > _MESSAGE_BLOCKS_MAX):
        raise _ApiError("invalid_blocks")


_Method = Callable[[JsonDict], JsonDict]


class _WebApi:
    """Workspace state plus one function per Web API method; callers hold the lock."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.messages: dict[str, list[JsonDict]] = {}
        self.ephemerals: dict[str, list[JsonDict]] = {}
        self.views: dict[str, JsonDict] = {}
        self.home_tabs: dict[str, JsonDict] = {}
        self.last_view_id: str | None = None
        self.triggers: dict[str, float] = {}
        self.trigger_ttl: float | None = TRIGGER_TTL_SECONDS
        self._open_conversations: set[str] = set()
        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self._methods: dict[str, _Method] = {
            "auth.test": self.auth_test,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "conversations.info": self.conversations_info,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.getPermalink": self.chat_get_permalink,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "oauth.v2.access": self.oauth_v2_access,
        }

    def call(self, method: str, params: JsonDict, token: str | None) -> JsonDict:
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            if method != "oauth.v2.access":  # authenticated with the client id and secret
                _check_token(token)
            return {"ok": True, **handler(params)}
        except _ApiError as error:
            return error.to_json()

    def next_ts(self) -> str:
        micros = next(self._ts_counter) * 100
        return f"{_FIRST_TS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def oauth_v2_access(self, params: JsonDict) -> JsonDict:
        """Exchange an install code. A code `code-<user id>` says who installed the app."""
        code = _param(params, "code", "invalid_code")
        ws = self.workspace
        installer = code.removeprefix("code-") if code.startswith("code-") else "UOWNER"
        return {
            "access_token": f"xoxb-{ws.team_id}-installed",
            "token_type": "bot",
            "scope": "chat:write,commands,users:read",
            "bot_user_id": ws.bot_user_id,
            "app_id": ws.app_id,
            "team": {"id": ws.team_id, "name": ws.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }

    # users and conversations

    def auth_test(self, params: JsonDict) -> JsonDict:
        ws = self.workspace
        bot = ws.user(ws.bot_user_id)
        return {
            "url": ws.url,
            "team": ws.team_name,
            "user": bot.name if bot else "bot",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def users_info(self, params: JsonDict) -> JsonDict:
        return {"user": self._user(_param(params, "user", "user_not_found")).to_api(self._team)}

    def users_list(self, params: JsonDict) -> JsonDict:
        users = self.workspace.users
        offset = _int_param(params, "cursor", 0)
        limit = _int_param(params, "limit", len(users)) or len(users)
        page = users[offset : offset + limit]
        next_cursor = str(offset + limit) if offset + limit < len(users) else ""
        return {
            "members": [user.to_api(self._team) for user in page],
            "cache_ts": _FIRST_TS,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_info(self, params: JsonDict) -> JsonDict:
        channel_id = _param(params, "channel", "channel_not_found")
        if channel_id in self._open_conversations:
            return {"channel": self._im_json(channel_id)}
        channel = self.workspace.channel(channel_id)
        if channel is None:
            raise _ApiError("channel_not_found")
        return {"channel": channel.to_api(self._team)}

    def conversations_open(self, params: JsonDict) -> JsonDict:
        if params.get("channel"):
            channel_id = self._existing_channel(str(params["channel"]))
            return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
        users = params.get("users")
        user_ids = users if isinstance(users, list) else str(users or "").split(",")
        channel_id = self._open_with([self._dm_user(uid.strip()).id for uid in user_ids if uid])
        return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def conversations_history(self, params: JsonDict) -> JsonDict:
        """Newest first; message metadata only with `include_all_metadata`, as Slack does."""
        channel = self._existing_channel(_param(params, "channel", "channel_not_found"))
        latest, oldest = params.get("latest"), params.get("oldest")
        inclusive = str(params.get("inclusive")).lower() in ("true", "1")
        with_metadata = str(params.get("include_all_metadata")).lower() in ("true", "1")
        found = []
        for message in reversed(self.messages.get(channel, [])):
            ts = float(message["ts"])
            if latest is not None and (
                ts > float(latest) or (ts == float(latest) and not inclusive)
            ):
                continue
            if oldest is not None and (
                ts < float(oldest) or (ts == float(oldest) and not inclusive)
            ):
                continue
            shown = copy.deepcopy(message)
            if not with_metadata:
                shown.pop("metadata", None)
            found.append(shown)
        limit = _int_param(params, "limit", 100)
        return {"messages": found[:limit], "has_more": len(found) > limit}

    # messages

    def chat_post_message(self, params: JsonDict) -> JsonDict:
        channel = self._post_target(_param(params, "channel", "channel_not_found"))
        _check_message_content(params)
        message = self._new_message(channel, params)
        self.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        channel = self._post_target(_param(params, "channel", "channel_not_found"))
        user = self._user(_param(params, "user", "user_not_found"))
        _check_message_content(params)
        message = {**self._new_message(channel, params), "ephemeral_to": user.id}
        self.ephemerals.setdefault(channel, []).append(message)
        return {"message_ts": message["ts"]}

    def chat_update(self, params: JsonDict) -> JsonDict:
        channel = self._existing_channel(_param(params, "channel", "channel_not_found"))
        message = self.find_message(channel, _param(params, "ts", "message_not_found"))
        _check_message_content({**message, **params})
        self.edit_message(message, params)
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def chat_get_permalink(self, params: JsonDict) -> JsonDict:
        channel = self._existing_channel(_param(params, "channel", "channel_not_found"))
        ts = self.find_message(channel, _param(params, "message_ts", "message_not_found"))["ts"]
        permalink = f"{self.workspace.url}archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": permalink}

    def find_message(self, channel: str, ts: str) -> JsonDict:
        found = next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)
        if found is None:
            raise _ApiError("message_not_found")
        return found

    def edit_message(self, message: JsonDict, changes: Mapping[str, Any]) -> None:
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in changes:
                message[key] = copy.deepcopy(changes[key])
        message["edited"] = {"user": self.workspace.bot_user_id, "ts": self.next_ts()}

    def delete_message(self, channel: str, ts: str) -> None:
        kept = [m for m in self.messages.get(channel, []) if m["ts"] != ts]
        self.messages[channel] = kept

    # views

    def views_open(self, params: JsonDict) -> JsonDict:
        self._use_trigger(params)
        return {"view": self._store_view(self._new_view(_object_param(params, "view")))}

    def views_push(self, params: JsonDict) -> JsonDict:
        self._use_trigger(params)
        view = self._new_view(_object_param(params, "view"))
        view["previous_view_id"] = self.last_view_id
        return {"view": self._store_view(view)}

    def views_update(self, params: JsonDict) -> JsonDict:
        old = self._find_view(params)
        if params.get("hash") and params["hash"] != old["hash"]:
            raise _ApiError("hash_conflict")
        return {"view": self._store_view(self._replace_view(old, _object_param(params, "view")))}

    def views_publish(self, params: JsonDict) -> JsonDict:
        user = self._user(_param(params, "user_id", "user_not_found"))
        submitted = _object_param(params, "view")
        old = self.home_tabs.get(user.id)
        view = self._new_view(submitted) if old is None else self._replace_view(old, submitted)
        self.home_tabs[user.id] = view
        self.views[view["id"]] = view
        return {"view": copy.deepcopy(view)}

    def latest_view(self) -> JsonDict:
        if self.last_view_id is None:
            raise LookupError("the bot has not opened a view")
        return copy.deepcopy(self.views[self.last_view_id])

    # helpers

    @property
    def _team(self) -> str:
        return self.workspace.team_id

    def _user(self, user_id: str) -> SlackUser:
        user = self.workspace.user(user_id)
        if user is None:
            raise _ApiError("user_not_found")
        return user

    def _dm_user(self, user_id: str) -> SlackUser:
        user = self._user(user_id)
        if user.deleted:
            raise _ApiError("user_disabled")
        return user

    def _open_with(self, user_ids: list[str]) -> str:
        if not user_ids:
            raise _ApiError("users_list_not_supplied")
        channel_id = "D" + user_ids[0] if len(user_ids) == 1 else "G" + "".join(sorted(user_ids))
        self._open_conversations.add(channel_id)
        return channel_id

    def _im_json(self, channel_id: str) -> JsonDict:
        return {"id": channel_id, "is_im": True, "user": channel_id[1:], "is_open": True}

    def _existing_channel(self, channel_id: str) -> str:
        if channel_id in self._open_conversations:
            return channel_id
        channel = self.workspace.channel(channel_id) or self.workspace.channel_by_name(channel_id)
        if channel is None:
            raise _ApiError("channel_not_found")
        if channel.is_archived:
            raise _ApiError("is_archived")
        return channel.id

    def _post_target(self, channel: str) -> str:
        """Resolve a channel id, a #name, an open DM, or a user id (which posts to their DM)."""
        if self.workspace.user(channel) is not None:
            return self._open_with([self._dm_user(channel).id])
        channel_id = self._existing_channel(channel)
        found = self.workspace.channel(channel_id)
        if found is not None and not found.is_member:
            raise _ApiError("not_in_channel")
        return channel_id

    def _new_message(self, channel: str, params: Mapping[str, Any]) -> JsonDict:
        extra = {k: copy.deepcopy(v) for k, v in params.items() if k not in ("channel", "user")}
        return {
            **extra,
            "type": "message",
            "channel": channel,
            "ts": self.next_ts(),
            "user": self.workspace.bot_user_id,
            "bot_id": self.workspace.bot_id,
            "text": str(params.get("text") or ""),
            "blocks": copy.deepcopy(params.get("blocks") or []),
        }

    def _use_trigger(self, params: JsonDict) -> None:
        issued = self.triggers.get(_param(params, "trigger_id"))
        ttl = self.trigger_ttl
        if issued is not None and ttl is not None and time.monotonic() - issued > ttl:
            raise _ApiError("expired_trigger_id")

    def _new_view(self, submitted: JsonDict) -> JsonDict:
        return self._view_body(submitted, f"V{next(self._view_counter):04d}")

    def _replace_view(self, old: JsonDict, submitted: JsonDict) -> JsonDict:
        kept = ("team_id", "app_id", "bot_id", "root_view_id", "previous_view_id")
        return {**self._view_body(submitted, old["id"]), **{k: old[k] for k in kept if k in old}}

    def _view_body(self, submitted: JsonDict, view_id: str) -> JsonDict:
        _check_view(submitted)
        ws = self.workspace
        defaults: JsonDict = {
            "team_id": ws.team_id,
            "type": "modal",
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": ws.app_id,
            "bot_id": ws.bot_id,
        }
        return {
            **defaults,
            **submitted,
            "id": view_id,
            "hash": self._hash(),
            "state": {"values": {}},
        }

    def _store_view(self, view: JsonDict) -> JsonDict:
        self.views[view["id"]] = view
        if view.get("type") != "home":
            self.last_view_id = view["id"]
        return copy.deepcopy(view)

    def _find_view(self, params: JsonDict) -> JsonDict:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        for view in self.views.values():
            if (view_id and view["id"] == view_id) or (
                external_id and view.get("external_id") == external_id
            ):
                return view
        raise _ApiError("not_found")

    def _hash(self) -> str:
        return f"{int(time.time())}.{uuid.uuid4().hex[:8]}"


def _check_token(token: str | None) -> None:
    if not token:
        raise _ApiError("not_authed")
    if not token.startswith("xox"):
        raise _ApiError("invalid_auth")


# --- Requests as slack_sdk sends them ---------------------------------------------------------


def _request_params(query: str, content_type: str, raw: bytes) -> JsonDict:
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
        loaded = _json_or_none(text)
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
    loaded = _json_or_none(value)
    return loaded if isinstance(loaded, dict | list) else value


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[len("bearer ") :].strip()
    return None


# --- The HTTP server --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedCall:
    method: str
    params: JsonDict
    token: str | None
    failed: bool = False
    response: JsonDict | None = None


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_json(
        cls, data: JsonDict, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
    ) -> _Reply:
        return cls(status, json.dumps(data).encode(), headers=headers)


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int
    error: str | None
    applied: bool = False  # the call takes effect before the failure is answered

    def reply(self) -> _Reply:
        if self.error is not None:
            return _Reply.of_json({"ok": False, "error": self.error})
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            body = {"ok": False, "error": "ratelimited"}
            return _Reply.of_json(body, self.status, (("Retry-After", str(self.retry_after)),))
        phrase = HTTPStatus(self.status).phrase.encode()
        return _Reply(self.status, phrase, "text/plain; charset=utf-8")


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
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/api/"):
            params = _request_params(url.query, self.headers.get("Content-Type", ""), raw)
            token = _bearer_token(self.headers.get("Authorization"))
            token = token or _optional_str(params.pop("token", None))
            reply = fake._answer_api(url.path.removeprefix("/api/"), params, token)
        elif url.path.startswith("/response/") and self.command == "POST":
            reply = fake._answer_response_url(unquote(url.path.removeprefix("/response/")), raw)
        else:
            reply = _Reply.of_json({"ok": False, "error": "not_found"}, HTTPStatus.NOT_FOUND)
        self._send(reply)

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


class FakeSlack:
    """A Slack Web API on 127.0.0.1 with inspectable state, call recording and fault injection.

    State (`messages`, `views`, ...) is shared with the server thread; read it after
    `wait_for` so the call that changes it has been answered.
    """

    def __init__(self, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or Workspace()
        self._api = _WebApi(self.workspace)
        self._changed = threading.Condition()
        self._calls: list[RecordedCall] = []
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._response_targets: dict[str, _ResponseTarget] = {}
        self.responses: dict[str, list[JsonDict]] = {}
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

    # state

    @property
    def messages(self) -> dict[str, list[JsonDict]]:
        return self._api.messages

    @property
    def ephemerals(self) -> dict[str, list[JsonDict]]:
        return self._api.ephemerals

    @property
    def views(self) -> dict[str, JsonDict]:
        return self._api.views

    @property
    def home_tabs(self) -> dict[str, JsonDict]:
        """User id → the Home tab view last published for them."""
        return self._api.home_tabs

    @property
    def trigger_ttl(self) -> float | None:
        """Seconds a registered trigger_id stays usable (Slack: 3); None to never expire."""
        return self._api.trigger_ttl

    @trigger_ttl.setter
    def trigger_ttl(self, seconds: float | None) -> None:
        self._api.trigger_ttl = seconds

    def latest_view(self) -> JsonDict:
        """The modal the bot most recently opened, pushed or updated (not a Home tab)."""
        with self._changed:
            return self._api.latest_view()

    def register_trigger(self, trigger_id: str) -> None:
        with self._changed:
            self._api.triggers[trigger_id] = time.monotonic()

    def next_ts(self) -> str:
        with self._changed:
            return self._api.next_ts()

    # recording

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def clear(self) -> None:
        """Forget recorded calls and response_url posts; workspace state stays."""
        with self._changed:
            self._calls.clear()
            self.responses.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until `count` calls of `method` (failed ones included) have been answered."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.calls(method)) >= count, timeout):
                seen = [c.method for c in self._calls]
                raise TimeoutError(f"{count}× {method} not called within {timeout}s; saw {seen}")
            return self.calls(method)

    def wait_for_response(self, name: str, count: int = 1, timeout: float = 5.0) -> list[JsonDict]:
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: len(self.responses.get(name, [])) >= count, timeout
            )
            if not arrived:
                raise TimeoutError(f"{count} post(s) to response_url {name!r} within {timeout}s")
            return copy.deepcopy(self.responses[name])

    # fault injection

    def fail_next(
        self,
        method: str,
        status: int = 429,
        times: int = 1,
        retry_after: int = 1,
        error: str | None = None,
        applied: bool = False,
    ) -> None:
        """The next `times` calls of `method` fail: HTTP `status` (429 with Retry-After), or
        HTTP 200 `{"ok": false, "error": error}` when `error` is given. With `applied` the call
        takes effect first, as when Slack posts a message but the answer is lost. `method` may
        also be "response_url"."""
        with self._changed:
            self._faults[method].extend([_Fault(status, retry_after, error, applied)] * times)

    # answering (called from the server's threads)

    def _answer_api(self, method: str, params: JsonDict, token: str | None) -> _Reply:
        with self._changed:
            fault = self._take_fault(method)
            if fault is not None:
                if fault.applied:
                    self._api.call(method, copy.deepcopy(params), token)
                self._record(RecordedCall(method, params, token, failed=True))
                return fault.reply()
            result = self._api.call(method, copy.deepcopy(params), token)
            self._record(RecordedCall(method, params, token, response=result))
            return _Reply.of_json(result)

    def _answer_response_url(self, name: str, raw: bytes) -> _Reply:
        body = _json_or_none(raw.decode("utf-8"))
        if not isinstance(body, dict):
            return _Reply(HTTPStatus.BAD_REQUEST, b"invalid_payload", "text/plain")
        with self._changed:
            fault = self._take_fault("response_url")
            self._record(RecordedCall("response_url", body, None, failed=fault is not None))
            if fault is not None:
                return fault.reply()
            self.responses.setdefault(name, []).append(body)
            self._apply_response(self._response_targets.get(name), body)
            return _Reply.of_json({"ok": True})

    def _apply_response(self, target: _ResponseTarget | None, body: JsonDict) -> None:
        if target is None or target.channel is None or target.message_ts is None:
            return
        try:
            message = self._api.find_message(target.channel, target.message_ts)
        except _ApiError:
            return
        if body.get("delete_original"):
            self._api.delete_message(target.channel, target.message_ts)
        elif body.get("replace_original"):
            self._api.edit_message(message, body)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        return queue.popleft() if queue else None

    def _record(self, call: RecordedCall) -> None:
        self._calls.append(call)
        self._changed.notify_all()


# --- Calling the bot as Slack does ------------------------------------------------------------


class SigningOverrides(TypedDict, total=False):
    """For security tests: a stale `timestamp`, a wrong `signature`, or no signature at all."""

    timestamp: int | None
    signature: str | None
    unsigned: bool


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None


def slack_signature(signing_secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def plain_text(value: str) -> JsonDict:
    return {"type": "plain_text_input", "value": value}


def static_select(value: str, text: str | None = None) -> JsonDict:
    option = {"text": _plain(text or value), "value": value}
    return {"type": "static_select", "selected_option": option}


def users_select(user_id: str) -> JsonDict:
    return {"type": "users_select", "selected_user": user_id}


def number_input(value: int | float | str) -> JsonDict:
    return {"type": "number_input", "value": str(value)}


def _plain(text: str) -> JsonDict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _find_element(blocks: Iterable[Any], action_id: str) -> tuple[str, JsonDict] | None:
    for block in blocks:
        if not isinstance(block, dict):
            continue
        elements = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "b")), element
    return None


class SlackRequester:
    """Posts signed requests to the bot's HTTP endpoint, shaped like Slack's."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        workspace: Workspace,
        fake: FakeSlack | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.workspace = workspace
        self.fake = fake
        self.timeout = timeout
        self.last_trigger_id: str | None = None
        self.last_response_name: str | None = None
        self._counter = itertools.count(1)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # input values, as found under view.state.values[block_id][action_id]

    static_select = staticmethod(static_select)
    plain_text = staticmethod(plain_text)
    users_select = staticmethod(users_select)
    number_input = staticmethod(number_input)

    # requests

    def slash_command(
        self,
        text: str,
        user: str = "UOWNER",
        command: str = "/license",
        channel: str = "C0GENERAL",
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        ws = self.workspace
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": ws.team_id,
            "team_domain": ws.domain,
            "channel_id": channel,
            "channel_name": self._channel_name(channel),
            "user_id": user,
            "user_name": self._user_name(user),
            "command": command,
            "text": text,
            "api_app_id": ws.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url("command", channel),
            "trigger_id": self._trigger_id(),
        }
        return self._send(urlencode(form), "application/x-www-form-urlencoded", overrides)

    def view_submission(
        self,
        view: JsonDict,
        user: str = "UOWNER",
        values: dict[str, dict[str, JsonDict]] | None = None,
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        submitted = {"private_metadata": "", "callback_id": "", **copy.deepcopy(view)}
        submitted["state"] = {"values": copy.deepcopy(values or {})}
        payload = {
            "type": "view_submission",
            **self._interaction_base(user),
            "view": submitted,
            "response_urls": [],
        }
        return self._send_payload(payload, overrides)

    def block_action(
        self,
        action_id: str,
        value: str | None = None,
        user: str = "UOWNER",
        block_id: str | None = None,
        container: JsonDict | None = None,
        message: JsonDict | None = None,
        view: JsonDict | None = None,
        channel: str = "C0GENERAL",
        selected_option: str | None = None,
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        """Click `action_id` in `view`, in `message`, or (neither given) in an ephemeral message.

        Unset `block_id`, `value` and element type are read from the element with that
        action_id in the view's or message's blocks, if there is one."""
        blocks = (view or message or {}).get("blocks", [])
        found = _find_element(blocks, action_id)
        action = self._action(action_id, value, block_id, selected_option, found)
        context = (
            self._view_context(view, container)
            if view is not None
            else self._message_context(message, channel, container)
        )
        payload = {
            "type": "block_actions",
            **self._interaction_base(user),
            **context,
            "actions": [action],
        }
        return self._send_payload(payload, overrides)

    def event(self, event: JsonDict, **overrides: Unpack[SigningOverrides]) -> Response:
        ws = self.workspace
        now = int(time.time())
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": ws.team_id,
            "api_app_id": ws.app_id,
            "event": {"event_ts": f"{now}.000100", **event},
            "type": "event_callback",
            "event_id": f"Ev{next(self._counter):08d}",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": ws.team_id,
                    "user_id": ws.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self._send(json.dumps(envelope), "application/json", overrides)

    # payload parts

    def _interaction_base(self, user: str) -> JsonDict:
        ws = self.workspace
        name = self._user_name(user)
        return {
            "token": VERIFICATION_TOKEN,
            "team": {"id": ws.team_id, "domain": ws.domain},
            "user": {"id": user, "username": name, "name": name, "team_id": ws.team_id},
            "api_app_id": ws.app_id,
            "trigger_id": self._trigger_id(),
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def _action(
        self,
        action_id: str,
        value: str | None,
        block_id: str | None,
        selected_option: str | None,
        found: tuple[str, JsonDict] | None,
    ) -> JsonDict:
        element = found[1] if found else {}
        default_type = "button" if selected_option is None else "static_select"
        action: JsonDict = {
            "action_id": action_id,
            "block_id": block_id or (found[0] if found else "b"),
            "type": element.get("type", default_type),
            "action_ts": f"{time.time():.6f}",
        }
        if selected_option is not None:
            action["selected_option"] = {"text": _plain(selected_option), "value": selected_option}
            return action
        action["text"] = element.get("text", _plain(action_id))
        chosen = value if value is not None else element.get("value")
        return action if chosen is None else {**action, "value": chosen}

    def _view_context(self, view: JsonDict, container: JsonDict | None) -> JsonDict:
        shown = {"state": {"values": {}}, **copy.deepcopy(view)}
        return {
            "container": container or {"type": "view", "view_id": view.get("id")},
            "view": shown,
        }

    def _message_context(
        self, message: JsonDict | None, channel: str, container: JsonDict | None
    ) -> JsonDict:
        channel_id = str(message.get("channel", channel)) if message else channel
        ts = str(message.get("ts") or self._ts()) if message else self._ts()
        context: JsonDict = {
            "container": container
            or {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            },
            "channel": {"id": channel_id, "name": self._channel_name(channel_id)},
            "state": {"values": {}},
            "response_url": self._response_url("action", channel_id, ts if message else None),
        }
        if message is not None:
            context["message"] = {k: v for k, v in copy.deepcopy(message).items() if k != "channel"}
        return context

    def _channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "directmessage"
        found = self.workspace.channel(channel_id)
        return found.name if found else "privategroup"

    def _user_name(self, user_id: str) -> str:
        found = self.workspace.user(user_id)
        return found.name if found else user_id.lower()

    def _trigger_id(self) -> str:
        trigger_id = f"{next(self._counter)}.{int(time.time())}.{uuid.uuid4().hex[:24]}"
        if self.fake is not None:
            self.fake.register_trigger(trigger_id)
        self.last_trigger_id = trigger_id
        return trigger_id

    def _response_url(self, kind: str, channel: str, message_ts: str | None = None) -> str:
        name = f"{kind}-{next(self._counter)}"
        self.last_response_name = name
        if self.fake is None:
            return f"https://hooks.slack.com/actions/{self.workspace.team_id}/{name}/dummy"
        return self.fake.response_url_for(name, channel=channel, message_ts=message_ts)

    def _ts(self) -> str:
        return self.fake.next_ts() if self.fake is not None else f"{time.time():.6f}"

    # sending

    def _send_payload(self, payload: JsonDict, overrides: SigningOverrides) -> Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self._send(body, "application/x-www-form-urlencoded", overrides)

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
