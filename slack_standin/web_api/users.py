"""`auth.test` and the `users.*` methods, and finding the user a call names."""

from __future__ import annotations

from slack_standin.arguments import ApiError, int_param, param
from slack_standin.directory import Directory, Scope
from slack_standin.workspace import FIRST_TS, JsonDict, SlackUser, Workspace


class Users:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

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
        user, workspace = find_user(scope, param(params, "user", "user_not_found"))
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


def find_user(scope: Scope, user_id: str) -> tuple[SlackUser, Workspace]:
    found = scope.user(user_id)
    if found is None:
        raise ApiError("user_not_found")
    return found


def dm_user(scope: Scope, user_id: str) -> SlackUser:
    user, _ = find_user(scope, user_id)
    if user.deleted:
        raise ApiError("user_disabled")
    return user
