"""The `views.*` methods: modals opened, pushed and updated, and Home tabs published."""

from __future__ import annotations

import copy
import time
import uuid

from slack_standin.arguments import ApiError, check_view, object_param, param
from slack_standin.directory import Scope
from slack_standin.web_api.users import find_user
from slack_standin.workspace import JsonDict, WorkspaceState


class Views:
    def __init__(self, state: WorkspaceState) -> None:
        self.state = state

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
        user, workspace = find_user(scope, param(params, "user_id", "user_not_found"))
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
