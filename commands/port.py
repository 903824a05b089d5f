"""What the listeners need of licensing: the service, or a fake of it in a unit test."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from licensing.clock import Clock
from licensing.requests import R, Request
from licensing.schemas import (
    AccountKey,
    AccountStatus,
    Actor,
    AuditTrail,
    InvoiceHistory,
    OfficeChoices,
    PoolHolders,
    RoleView,
    SubscriptionSummary,
)
from licensing.transactions import Policy


class LicensingPort(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def policy(self) -> Policy: ...

    def install(
        self, account: AccountKey, installer_id: str, time_zone: str = "UTC"
    ) -> SubscriptionSummary: ...

    def uninstalled(self, account: AccountKey, reason: str) -> int: ...

    def office_names(self, account: AccountKey, actor: Actor) -> list[str]: ...

    def office_choices(self, account: AccountKey, actor: Actor) -> OfficeChoices: ...

    def status(self, account: AccountKey, actor: Actor) -> AccountStatus: ...

    def can_start(
        self, account: AccountKey, actor: Actor, request_type: type[Request[Any]]
    ) -> None: ...

    def quote(self, account: AccountKey, actor: Actor, request: Request[R]) -> R: ...

    def handle(
        self,
        account: AccountKey,
        actor: Actor,
        request: Request[R],
        idempotency_key: str | None = None,
        *,
        shown: BaseModel | None = None,
    ) -> R: ...

    def users(
        self,
        account: AccountKey,
        actor: Actor,
        product: str | None = None,
        office: str | None = None,
        *,
        limit: int = 200,
    ) -> list[PoolHolders]: ...

    def roles(self, account: AccountKey, actor: Actor) -> list[RoleView]: ...

    def invoices(
        self, account: AccountKey, actor: Actor, *, page: int = 1, per_page: int = 10
    ) -> InvoiceHistory: ...

    def audit(
        self, account: AccountKey, actor: Actor, *, page: int = 1, per_page: int = 25
    ) -> AuditTrail: ...


class BillingPort(Protocol):
    """Payments where invoices are collected (`licensing.billing.Billing`)."""

    def card_setup_link(self, account: AccountKey, actor: Actor, return_url: str) -> str: ...

    def sync_contact(self, account: AccountKey, actor: Actor) -> str: ...
