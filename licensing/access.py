"""Who may do what (rule 11), decided again on every request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from licensing.errors import NotAllowed
from licensing.model import RoleName


@dataclass(frozen=True)
class Access:
    company_admin: bool
    office_ids: frozenset[int]

    @classmethod
    def of(cls, workspace_admin: bool, roles: Iterable[tuple[str, int | None]]) -> Access:
        """`roles` are (role, office id) pairs; Slack workspace owners and admins are company
        admins whatever the table says."""
        roles = list(roles)
        return cls(
            company_admin=workspace_admin
            or any(role == RoleName.COMPANY_ADMIN for role, _ in roles),
            office_ids=frozenset(
                office for role, office in roles if role == RoleName.OFFICE_ADMIN and office
            ),
        )

    def manages_any_office(self) -> bool:
        return self.company_admin or bool(self.office_ids)

    def manages(self, office_id: int) -> bool:
        return self.company_admin or office_id in self.office_ids

    def require_company_admin(self, action: str) -> None:
        if not self.company_admin:
            raise NotAllowed(action, "company admins")

    def require_office(self, office_id: int, office_name: str, action: str) -> None:
        if not self.manages(office_id):
            raise NotAllowed(action, f"company admins and admins of {office_name}")
