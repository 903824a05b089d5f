"""`oauth.v2.access`: an install code exchanged for a bot token."""

from __future__ import annotations

from slack_standin.arguments import ApiError, param
from slack_standin.directory import Directory
from slack_standin.tokens import Tokens, org_token, workspace_token
from slack_standin.workspace import JsonDict


class OAuth:
    def __init__(self, directory: Directory, tokens: Tokens) -> None:
        self.directory = directory
        self.tokens = tokens

    def oauth_v2_access(self, params: JsonDict) -> JsonDict:
        """Exchange an install code: `code-<user>` installs into the first workspace,
        `code-<user>-<team>` into workspace <team>, `org-<user>-<enterprise>` into the whole
        org. The user is who installed the app."""
        code = param(params, "code", "invalid_code")
        if code.startswith("org-"):
            return self._install_org(*_split_code(code.removeprefix("org-")))
        rest = code.removeprefix("code-") if code.startswith("code-") else ""
        installer, team_id = _split_code(rest) if "-" in rest else (rest, None)
        workspace = self.directory.first if team_id is None else self.directory.team(team_id)
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


def _split_code(rest: str) -> tuple[str, str]:
    """`<user>-<team or enterprise>` of an install code."""
    user, _, where = rest.rpartition("-")
    if not user or not where:
        raise ApiError("invalid_code")
    return user, where
