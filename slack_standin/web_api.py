"""The stand-in's Web API methods, without HTTP: each reads its arguments, checks them as
Slack does and changes the workspace's state."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from slack_standin.arguments import (
    ApiError,
    check_message_content,
    check_token,
    check_view,
    int_param,
    object_param,
    param,
)
from slack_standin.workspace import FIRST_TS, JsonDict, SlackUser, Workspace, WorkspaceState

_Method = Callable[[JsonDict], JsonDict]


class WebApi:
    """One function per Web API method, on the workspace and its state; callers hold the lock."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.state = WorkspaceState()
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
                check_token(token)
            return {"ok": True, **handler(params)}
        except ApiError as error:
            return error.to_json()

    def oauth_v2_access(self, params: JsonDict) -> JsonDict:
        """Exchange an install code. A code `code-<user id>` says who installed the app."""
        code = param(params, "code", "invalid_code")
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
        return {"user": self._user(param(params, "user", "user_not_found")).to_api(self._team)}

    def users_list(self, params: JsonDict) -> JsonDict:
        users = self.workspace.users
        offset = int_param(params, "cursor", 0)
        limit = int_param(params, "limit", len(users)) or len(users)
        page = users[offset : offset + limit]
        next_cursor = str(offset + limit) if offset + limit < len(users) else ""
        return {
            "members": [user.to_api(self._team) for user in page],
            "cache_ts": FIRST_TS,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_info(self, params: JsonDict) -> JsonDict:
        channel_id = param(params, "channel", "channel_not_found")
        if channel_id in self.state.open_conversations:
            return {"channel": self._im_json(channel_id)}
        channel = self.workspace.channel(channel_id)
        if channel is None:
            raise ApiError("channel_not_found")
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
        channel = self._existing_channel(param(params, "channel", "channel_not_found"))
        latest, oldest = params.get("latest"), params.get("oldest")
        inclusive = str(params.get("inclusive")).lower() in ("true", "1")
        with_metadata = str(params.get("include_all_metadata")).lower() in ("true", "1")
        found = []
        for message in reversed(self.state.messages.get(channel, [])):
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
        limit = int_param(params, "limit", 100)
        return {"messages": found[:limit], "has_more": len(found) > limit}

    # messages

    def chat_post_message(self, params: JsonDict) -> JsonDict:
        channel = self._post_target(param(params, "channel", "channel_not_found"))
        check_message_content(params)
        message = self._new_message(channel, params)
        self.state.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        channel = self._post_target(param(params, "channel", "channel_not_found"))
        user = self._user(param(params, "user", "user_not_found"))
        check_message_content(params)
        message = {**self._new_message(channel, params), "ephemeral_to": user.id}
        self.state.ephemerals.setdefault(channel, []).append(message)
        return {"message_ts": message["ts"]}

    def chat_update(self, params: JsonDict) -> JsonDict:
        channel = self._existing_channel(param(params, "channel", "channel_not_found"))
        message = self.find_message(channel, param(params, "ts", "message_not_found"))
        check_message_content({**message, **params})
        self.edit_message(message, params)
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def chat_get_permalink(self, params: JsonDict) -> JsonDict:
        channel = self._existing_channel(param(params, "channel", "channel_not_found"))
        ts = self.find_message(channel, param(params, "message_ts", "message_not_found"))["ts"]
        permalink = f"{self.workspace.url}archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": permalink}

    def find_message(self, channel: str, ts: str) -> JsonDict:
        found = next((m for m in self.state.messages.get(channel, []) if m["ts"] == ts), None)
        if found is None:
            raise ApiError("message_not_found")
        return found

    def edit_message(self, message: JsonDict, changes: Mapping[str, Any]) -> None:
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in changes:
                message[key] = copy.deepcopy(changes[key])
        message["edited"] = {"user": self.workspace.bot_user_id, "ts": self.state.next_ts()}

    def delete_message(self, channel: str, ts: str) -> None:
        kept = [m for m in self.state.messages.get(channel, []) if m["ts"] != ts]
        self.state.messages[channel] = kept

    # views

    def views_open(self, params: JsonDict) -> JsonDict:
        self._use_trigger(params)
        return {"view": self._store_view(self._new_view(object_param(params, "view")))}

    def views_push(self, params: JsonDict) -> JsonDict:
        self._use_trigger(params)
        view = self._new_view(object_param(params, "view"))
        view["previous_view_id"] = self.state.last_view_id
        return {"view": self._store_view(view)}

    def views_update(self, params: JsonDict) -> JsonDict:
        old = self._find_view(params)
        if params.get("hash") and params["hash"] != old["hash"]:
            raise ApiError("hash_conflict")
        return {"view": self._store_view(self._replace_view(old, object_param(params, "view")))}

    def views_publish(self, params: JsonDict) -> JsonDict:
        user = self._user(param(params, "user_id", "user_not_found"))
        submitted = object_param(params, "view")
        old = self.state.home_tabs.get(user.id)
        view = self._new_view(submitted) if old is None else self._replace_view(old, submitted)
        self.state.home_tabs[user.id] = view
        self.state.views[view["id"]] = view
        return {"view": copy.deepcopy(view)}

    def latest_view(self) -> JsonDict:
        if self.state.last_view_id is None:
            raise LookupError("the bot has not opened a view")
        return copy.deepcopy(self.state.views[self.state.last_view_id])

    # helpers

    @property
    def _team(self) -> str:
        return self.workspace.team_id

    def _user(self, user_id: str) -> SlackUser:
        user = self.workspace.user(user_id)
        if user is None:
            raise ApiError("user_not_found")
        return user

    def _dm_user(self, user_id: str) -> SlackUser:
        user = self._user(user_id)
        if user.deleted:
            raise ApiError("user_disabled")
        return user

    def _open_with(self, user_ids: list[str]) -> str:
        if not user_ids:
            raise ApiError("users_list_not_supplied")
        channel_id = "D" + user_ids[0] if len(user_ids) == 1 else "G" + "".join(sorted(user_ids))
        self.state.open_conversations.add(channel_id)
        return channel_id

    def _im_json(self, channel_id: str) -> JsonDict:
        return {"id": channel_id, "is_im": True, "user": channel_id[1:], "is_open": True}

    def _existing_channel(self, channel_id: str) -> str:
        if channel_id in self.state.open_conversations:
            return channel_id
        channel = self.workspace.channel(channel_id) or self.workspace.channel_by_name(channel_id)
        if channel is None:
            raise ApiError("channel_not_found")
        if channel.is_archived:
            raise ApiError("is_archived")
        return channel.id

    def _post_target(self, channel: str) -> str:
        """Resolve a channel id, a #name, an open DM, or a user id (which posts to their DM)."""
        if self.workspace.user(channel) is not None:
            return self._open_with([self._dm_user(channel).id])
        channel_id = self._existing_channel(channel)
        found = self.workspace.channel(channel_id)
        if found is not None and not found.is_member:
            raise ApiError("not_in_channel")
        return channel_id

    def _new_message(self, channel: str, params: Mapping[str, Any]) -> JsonDict:
        extra = {k: copy.deepcopy(v) for k, v in params.items() if k not in ("channel", "user")}
        return {
            **extra,
            "type": "message",
            "channel": channel,
            "ts": self.state.next_ts(),
            "user": self.workspace.bot_user_id,
            "bot_id": self.workspace.bot_id,
            "text": str(params.get("text") or ""),
            "blocks": copy.deepcopy(params.get("blocks") or []),
        }

    def _use_trigger(self, params: JsonDict) -> None:
        issued = self.state.triggers.get(param(params, "trigger_id"))
        ttl = self.state.trigger_ttl
        if issued is not None and ttl is not None and time.monotonic() - issued > ttl:
            raise ApiError("expired_trigger_id")

    def _new_view(self, submitted: JsonDict) -> JsonDict:
        return self._view_body(submitted, self.state.next_view_id())

    def _replace_view(self, old: JsonDict, submitted: JsonDict) -> JsonDict:
        kept = ("team_id", "app_id", "bot_id", "root_view_id", "previous_view_id")
        return {**self._view_body(submitted, old["id"]), **{k: old[k] for k in kept if k in old}}

    def _view_body(self, submitted: JsonDict, view_id: str) -> JsonDict:
        check_view(submitted)
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
        self.state.views[view["id"]] = view
        if view.get("type") != "home":
            self.state.last_view_id = view["id"]
        return copy.deepcopy(view)

    def _find_view(self, params: JsonDict) -> JsonDict:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        for view in self.state.views.values():
            if (view_id and view["id"] == view_id) or (
                external_id and view.get("external_id") == external_id
            ):
                return view
        raise ApiError("not_found")

    def _hash(self) -> str:
        return f"{int(time.time())}.{uuid.uuid4().hex[:8]}"
