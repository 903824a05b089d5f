"""Bot tokens and where they act. The token the tests configure (any other `xox…` token) acts
for the first workspace; `xoxb-{team}-installed`, which an OAuth install into a workspace
returns, acts for that workspace; `xoxb-{enterprise}-org`, from an org-wide install, for every
workspace of that Enterprise Grid org. A revoked token, or any token of an uninstalled
workspace or org, answers `token_revoked` until the app is installed there again."""

from __future__ import annotations

from slack_standin.arguments import ApiError, check_token
from slack_standin.directory import Directory, Scope

_INSTALLED = "-installed"
_ORG = "-org"


def workspace_token(team_id: str) -> str:
    return f"xoxb-{team_id}{_INSTALLED}"


def org_token(enterprise_id: str) -> str:
    return f"xoxb-{enterprise_id}{_ORG}"


class Tokens:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.revoked: set[str] = set()
        self.uninstalled: set[str] = set()  # team and enterprise ids

    def scope(self, token: str | None) -> Scope:
        """Where `token` acts; raises the ApiError Slack answers for a missing, unknown or
        revoked token."""
        check_token(token)
        assert token is not None  # check_token refuses a missing one
        owner, scope = self._owner_and_scope(token)
        if token in self.revoked or owner in self.uninstalled:
            raise ApiError("token_revoked")
        return scope

    def installed(self, owner: str, token: str) -> None:
        """An OAuth install into workspace or org `owner` issued `token`."""
        self.uninstalled.discard(owner)
        self.revoked.discard(token)

    def revoke(self, token: str) -> None:
        self.revoked.add(token)

    def uninstall(self, owner: str) -> None:
        if self.directory.team(owner) is None and not self.directory.org(owner):
            raise ValueError(f"no workspace or org {owner}")
        self.uninstalled.add(owner)

    def _owner_and_scope(self, token: str) -> tuple[str, Scope]:
        body = token.removeprefix("xoxb-")
        if token.startswith("xoxb-") and body.endswith(_INSTALLED):
            workspace = self.directory.team(body.removesuffix(_INSTALLED))
            if workspace is None:
                raise ApiError("invalid_auth")
            return workspace.team_id, Scope(self.directory, (workspace,), workspace.enterprise_id)
        if token.startswith("xoxb-") and body.endswith(_ORG):
            enterprise_id = body.removesuffix(_ORG)
            org = self.directory.org(enterprise_id)
            if not org:
                raise ApiError("invalid_auth")
            return enterprise_id, Scope(self.directory, tuple(org), enterprise_id, org_wide=True)
        first = self.directory.first
        return first.team_id, Scope(self.directory, (first,), first.enterprise_id)
