"""The stand-in's Web API methods, without HTTP: each reads its arguments, checks them as
Slack does and changes the workspaces' state, as seen from where the call's token acts."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slack_standin.arguments import (
    ApiError,
    check_message_content,
    check_view,
    int_param,
    object_param,
    param,
)
from slack_standin.directory import Directory, Scope
from slack_standin.tokens import Tokens, org_token, workspace_token
from slack_standin.workspace import (
    FIRST_TS,
    JsonDict,
    SlackChannel,
    SlackUser,
    Workspace,
    WorkspaceState,
)

_Method = Callable[[JsonDict, Scope], JsonDict]
_USER_ID_PREFIXES = ("U", "W")  # Slack's user ids; channels' start with C, G or D


class WebApi:
    """One function per Web API method, on the workspaces and their state; callers hold the
    lock. Channels, messages and views are kept by id, which Slack makes unique across
    workspaces."""

    def __init__(self, workspace: Workspace, others: Iterable[Workspace] = ()) -> None:
        self.directory = Directory([workspace, *others])
        self.tokens = Tokens(self.directory)
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
        }

    @property
    def workspace(self) -> Workspace:
        return self.directory.first

    def call(self, method: str, params: JsonDict, token: str | None) -> JsonDict:
        try:
            if method == "oauth.v2.access":  # authenticated with the client id and secret
                return {"ok": True, **self.oauth_v2_access(params)}
            handler = self._methods.get(method)
            if handler is None:
                return {"ok": False, "error": "unknown_method"}
            return {"ok": True, **handler(params, self.tokens.scope(token))}
        except ApiError as error:
            return error.to_json()

    def oauth_v2_access(self, params: JsonDict) -> JsonDict:
        """Exchange an install code: `code-<user>` installs into the first workspace,
        `code-<user>-<team>` into workspace <team>, `org-<user>-<enterprise>` into the whole
        org. The user is who installed the app."""
        code = param(params, "code", "invalid_code")
        if code.startswith("org-"):
            return self._install_org(*_split_code(code.removeprefix("org-")))
        rest = code.removeprefix("code-") if code.startswith("code-") else ""
        installer, team_id = _split_code(rest) if "-" in rest else (rest, None)
        workspace = self.workspace if team_id is None else self.directory.team(team_id)
        if workspace is None:
            raise ApiError("invalid_code")
        token = workspace_token(workspace.team_id)
        self.tokens.installed(workspace.team_id, token)
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,users:read",
            "bot_user_id": workspace.bot_user_id,
            "app_id": workspace.app_id,
            "team": {"id": workspace.team_id, "name": workspace.team_name},
            "enterprise": workspace.enterprise,
            "is_enterprise_install": False,
            "authed_user": {"id": installer or "UOWNER"},
        }

    def _install_org(self, installer: str, enterprise_id: str) -> JsonDict:
        org = self.directory.org(enterprise_id)
        if not installer or not org:
            raise ApiError("invalid_code")
        token = org_token(enterprise_id)
        self.tokens.installed(enterprise_id, token)
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,users:read",
            "bot_user_id": org[0].bot_user_id,
            "app_id": org[0].app_id,
            "team": None,
            "enterprise": org[0].enterprise,
            "is_enterprise_install": True,
            "authed_user": {"id": installer},
        }

    # users and conversations

    def auth_test(self, params: JsonDict, scope: Scope) -> JsonDict:
        ws = scope.home
        bot = ws.user(ws.bot_user_id)
        answer: JsonDict = {
            "url": ws.url,
            "team": ws.team_name,
            "user": bot.name if bot else "bot",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }
        if scope.org_wide:  # an org-wide token belongs to no one workspace
            del answer["team_id"]
            answer["url"] = f"https://{ws.domain}.enterprise.slack.com/"
            answer["team"] = ws.enterprise_name or ws.enterprise_id
            answer["is_enterprise_install"] = True
        if ws.enterprise_id is not None:
            answer["enterprise_id"] = ws.enterprise_id
        return answer

    def users_info(self, params: JsonDict, scope: Scope) -> JsonDict:
        user, workspace = self._user(scope, param(params, "user", "user_not_found"))
        return {"user": self._user_json(user, workspace)}

    def users_list(self, params: JsonDict, scope: Scope) -> JsonDict:
        """The members of the token's workspace; an org-wide token names one with `team_id`."""
        workspace = scope.home
        if scope.org_wide:
            team_id = param(params, "team_id")
            workspace = next((w for w in scope.own if w.team_id == team_id), workspace)
            if workspace.team_id != team_id:
                raise ApiError("team_access_not_granted")
        users = workspace.users
        offset = int_param(params, "cursor", 0)
        limit = int_param(params, "limit", len(users)) or len(users)
        page = users[offset : offset + limit]
        next_cursor = str(offset + limit) if offset + limit < len(users) else ""
        return {
            "members": [self._user_json(user, workspace) for user in page],
            "cache_ts": FIRST_TS,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_info(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel_id = param(params, "channel", "channel_not_found")
        if channel_id in self.state.open_conversations:
            return {"channel": self._im_json(channel_id)}
        found = scope.channel(channel_id)
        if found is None:
            raise ApiError("channel_not_found")
        channel, host = found
        return {"channel": channel.to_api(_viewer(scope, channel, host).team_id, host.team_id)}

    def conversations_open(self, params: JsonDict, scope: Scope) -> JsonDict:
        if params.get("channel"):
            channel_id = self._existing_channel(scope, str(params["channel"]))
            return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
        users = params.get("users")
        user_ids = users if isinstance(users, list) else str(users or "").split(",")
        dm_users = [self._dm_user(scope, uid.strip()).id for uid in user_ids if uid]
        channel_id = self._open_with(dm_users)
        return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def conversations_history(self, params: JsonDict, scope: Scope) -> JsonDict:
        """Newest first; message metadata only with `include_all_metadata`, as Slack does."""
        channel = self._existing_channel(scope, param(params, "channel", "channel_not_found"))
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

    def chat_post_message(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self._post_target(scope, param(params, "channel", "channel_not_found"))
        check_message_content(params)
        message = self._new_message(scope, channel, params)
        self.state.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def chat_post_ephemeral(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self._post_target(scope, param(params, "channel", "channel_not_found"))
        user, _ = self._user(scope, param(params, "user", "user_not_found"))
        check_message_content(params)
        message = {**self._new_message(scope, channel, params), "ephemeral_to": user.id}
        self.state.ephemerals.setdefault(channel, []).append(message)
        return {"message_ts": message["ts"]}

    def chat_update(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self._existing_channel(scope, param(params, "channel", "channel_not_found"))
        message = self.find_message(channel, param(params, "ts", "message_not_found"))
        check_message_content({**message, **params})
        self.edit_message(message, params)
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def chat_get_permalink(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self._existing_channel(scope, param(params, "channel", "channel_not_found"))
        ts = self.find_message(channel, param(params, "message_ts", "message_not_found"))["ts"]
        found = scope.channel(channel)
        where = _viewer(scope, *found) if found else scope.home
        permalink = f"{where.url}archives/{channel}/p{ts.replace('.', '')}"
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
        editor = message.get("user") or self.workspace.bot_user_id
        message["edited"] = {"user": editor, "ts": self.state.next_ts()}

    def delete_message(self, channel: str, ts: str) -> None:
        kept = [m for m in self.state.messages.get(channel, []) if m["ts"] != ts]
        self.state.messages[channel] = kept

    # views

    def views_open(self, params: JsonDict, scope: Scope) -> JsonDict:
        team_id = self._use_trigger(params)
        view = self._new_view(scope, object_param(params, "view"), team_id)
        return {"view": self._store_view(view)}

    def views_push(self, params: JsonDict, scope: Scope) -> JsonDict:
        team_id = self._use_trigger(params)
        view = self._new_view(scope, object_param(params, "view"), team_id)
        view["previous_view_id"] = self.state.last_view_id
        return {"view": self._store_view(view)}

    def views_update(self, params: JsonDict, scope: Scope) -> JsonDict:
        old = self._find_view(params)
        if params.get("hash") and params["hash"] != old["hash"]:
            raise ApiError("hash_conflict")
        view = self._replace_view(scope, old, object_param(params, "view"))
        return {"view": self._store_view(view)}

    def views_publish(self, params: JsonDict, scope: Scope) -> JsonDict:
        user, workspace = self._user(scope, param(params, "user_id", "user_not_found"))
        submitted = object_param(params, "view")
        old = self.state.home_tabs.get(user.id)
        team_id = workspace.team_id if workspace.team_id in scope.team_ids else None
        view = (
            self._new_view(scope, submitted, team_id)
            if old is None
            else self._replace_view(scope, old, submitted)
        )
        self.state.home_tabs[user.id] = view
        self.state.views[view["id"]] = view
        return {"view": copy.deepcopy(view)}

    def latest_view(self) -> JsonDict:
        if self.state.last_view_id is None:
            raise LookupError("the bot has not opened a view")
        return copy.deepcopy(self.state.views[self.state.last_view_id])

    # helpers

    def _user(self, scope: Scope, user_id: str) -> tuple[SlackUser, Workspace]:
        found = scope.user(user_id)
        if found is None:
            raise ApiError("user_not_found")
        return found

    def _user_json(self, user: SlackUser, workspace: Workspace) -> JsonDict:
        """The user as a member of `workspace`; on Grid with their place in the org too."""
        shown = user.to_api(workspace.team_id)
        enterprise = workspace.enterprise
        if enterprise is not None:
            teams = [w.team_id for w in self.directory.org(enterprise["id"]) if w.user(user.id)]
            shown["enterprise_user"] = {
                "id": user.id,
                "enterprise_id": enterprise["id"],
                "enterprise_name": enterprise["name"],
                "is_admin": user.is_org_admin,
                "is_owner": user.is_org_admin,
                "teams": teams,
            }
        return shown

    def _dm_user(self, scope: Scope, user_id: str) -> SlackUser:
        user, _ = self._user(scope, user_id)
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

    def _existing_channel(self, scope: Scope, channel_id: str) -> str:
        """A channel the token's workspace has (or that is shared with it); else, for a token
        of another workspace, `channel_not_found` as Slack answers."""
        if channel_id in self.state.open_conversations:
            return channel_id
        found = scope.channel(channel_id) or scope.channel_by_name(channel_id)
        if found is None:
            raise ApiError("channel_not_found")
        channel, _ = found
        if channel.is_archived:
            raise ApiError("is_archived")
        return channel.id

    def _post_target(self, scope: Scope, channel: str) -> str:
        """Resolve a channel id, a #name, an open DM, or a user id (which posts to their DM)."""
        if channel.startswith(_USER_ID_PREFIXES) and scope.user(channel) is not None:
            return self._open_with([self._dm_user(scope, channel).id])
        channel_id = self._existing_channel(scope, channel)
        found = scope.channel(channel_id)
        if found is not None and not found[0].is_member:
            raise ApiError("not_in_channel")
        return channel_id

    def _new_message(self, scope: Scope, channel: str, params: Mapping[str, Any]) -> JsonDict:
        extra = {k: copy.deepcopy(v) for k, v in params.items() if k not in ("channel", "user")}
        return {
            **extra,
            "type": "message",
            "channel": channel,
            "ts": self.state.next_ts(),
            "user": scope.home.bot_user_id,
            "bot_id": scope.home.bot_id,
            "text": str(params.get("text") or ""),
            "blocks": copy.deepcopy(params.get("blocks") or []),
        }

    def _use_trigger(self, params: JsonDict) -> str | None:
        """Check the trigger is fresh; the workspace it came from, if known."""
        trigger_id = param(params, "trigger_id")
        issued = self.state.triggers.get(trigger_id)
        ttl = self.state.trigger_ttl
        if issued is not None and ttl is not None and time.monotonic() - issued > ttl:
            raise ApiError("expired_trigger_id")
        return self.state.trigger_teams.get(trigger_id)

    def _new_view(self, scope: Scope, submitted: JsonDict, team_id: str | None) -> JsonDict:
        return self._view_body(scope, submitted, self.state.next_view_id(), team_id)

    def _replace_view(self, scope: Scope, old: JsonDict, submitted: JsonDict) -> JsonDict:
        kept = (
            "team_id",
            "app_installed_team_id",
            "app_id",
            "bot_id",
            "root_view_id",
            "previous_view_id",
        )
        body = self._view_body(scope, submitted, old["id"], None)
        return {**body, **{k: old[k] for k in kept if k in old}}

    def _view_body(
        self, scope: Scope, submitted: JsonDict, view_id: str, team_id: str | None
    ) -> JsonDict:
        """`team_id` is where the view is shown (the trigger's workspace, which in a shared
        channel may be another organisation's); `app_installed_team_id` the app's own."""
        check_view(submitted)
        ws = scope.home
        shown_in = team_id or ws.team_id
        defaults: JsonDict = {
            "team_id": shown_in,
            "type": "modal",
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": ws.app_id,
            "app_installed_team_id": shown_in if scope.org_wide else ws.team_id,
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


def _split_code(rest: str) -> tuple[str, str]:
    """`<user>-<team or enterprise>` of an install code."""
    user, _, where = rest.rpartition("-")
    if not user or not where:
        raise ApiError("invalid_code")
    return user, where


def _viewer(scope: Scope, channel: SlackChannel, host: Workspace) -> Workspace:
    """The token's workspace that sees `channel`: its host, or one it is shared with."""
    if host.team_id in scope.team_ids:
        return host
    return next((w for w in scope.own if w.team_id in channel.shared_with), scope.home)
