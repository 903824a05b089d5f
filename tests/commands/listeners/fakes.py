"""Hand-written stand-ins for what a listener talks to: the licensing service (a LicensingPort),
Slack's Web API client and Bolt's context. Each records what it was asked, for the tests to read."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast
from unittest.mock import AsyncMock, Mock

from pydantic import BaseModel
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from commands.deps import Deps
from commands.port import LicensingPort
from licensing.catalog import load_catalog
from licensing.errors import AccountNotFound, LicensingError
from licensing.requests import (
    AddOffice,
    Assign,
    Cancel,
    GrantRole,
    Purchase,
    R,
    Reactivate,
    RemoveOffice,
    RenameOffice,
    Request,
    Restore,
    Revoke,
    RevokeRole,
    ScheduleRemoval,
    SetBillingContact,
    SetBillingDetails,
    SetNoticeChannel,
    SetReminderLead,
    SetTimeZone,
    Subscribe,
)
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
from tests.commands.views.samples import (
    ASSIGNED,
    CANCELING,
    CHANGE,
    COUNTS,
    QUOTE,
    REACTIVATED,
    ROLE,
    STATUS,
    SUBSCRIBE,
)
from tests.conftest import FakeClock

T = TypeVar("T")
Method = Literal["start", "quote", "handle"]

TEAM = AccountKey(team_id="T1")
ADMIN, MEMBER, GONE = "U1", "U3", "UGONE"  # a workspace admin, a member, a deleted user

# A restore that keeps every seat the notice listed: none of the pool is leaving any more.
RESTORED = CHANGE.model_copy(
    update={"pool_after": COUNTS.model_copy(update={"scheduled_for_removal": 0, "available": 3})}
)

# What the fake service answers for each request, unless a test says otherwise.
RESULTS: dict[type[Request[Any]], BaseModel] = {
    Purchase: QUOTE,
    ScheduleRemoval: CHANGE,
    Restore: RESTORED,
    Subscribe: SUBSCRIBE,
    Cancel: CANCELING,
    Reactivate: REACTIVATED,
    Assign: ASSIGNED,
    Revoke: ASSIGNED,
    SetNoticeChannel: STATUS,
    SetReminderLead: STATUS,
    SetTimeZone: STATUS,
    AddOffice: STATUS,
    RenameOffice: STATUS,
    RemoveOffice: STATUS,
    GrantRole: ROLE,
    RevokeRole: ROLE,
    SetBillingDetails: REACTIVATED,
    SetBillingContact: REACTIVATED,
}


@dataclass(frozen=True)
class Call:
    """One `quote` or `handle` as the service received it."""

    method: Method
    account: AccountKey
    actor: Actor
    request: Request[Any]
    idempotency_key: str | None = None
    shown: BaseModel | None = None


class FakeService:
    """A LicensingPort with canned answers per request type and refusals on demand."""

    def __init__(self, *, installed: tuple[AccountKey, ...] = (TEAM,)) -> None:
        self.clock = FakeClock()
        self.policy = Policy()
        self.installed = set(installed)
        self.installs: list[tuple[AccountKey, str]] = []
        self.uninstalls: list[tuple[AccountKey, str]] = []
        self.calls: list[Call] = []
        self.reads: list[str] = []  # the names of the plain reads, in order
        self.account_status: AccountStatus = STATUS
        self.status_refusal: LicensingError | None = None
        self.offices = ["Main"]
        self.default_office: str | None = "Main"
        self.users_refusal: LicensingError | None = None
        self._results = dict(RESULTS)
        self._refusals: dict[tuple[Method, type[Request[Any]]], LicensingError] = {}

    def answer(self, request_type: type[Request[Any]], result: BaseModel) -> None:
        self._results[request_type] = result

    def refuse(
        self,
        request_type: type[Request[Any]],
        refusal: LicensingError,
        *,
        on: Method | None = None,
    ) -> None:
        """Raise `refusal` for `request_type` on `quote`, on `handle`, or (None) on both."""
        for method in (on,) if on else ("quote", "handle"):
            self._refusals[(method, request_type)] = refusal

    def handled(self) -> list[Call]:
        return [c for c in self.calls if c.method == "handle"]

    def quoted(self) -> list[Call]:
        return [c for c in self.calls if c.method == "quote"]

    # LicensingPort

    def uninstalled(self, account: AccountKey, reason: str) -> int:
        self.uninstalls.append((account, reason))
        return 2

    def install(
        self, account: AccountKey, installer_id: str, time_zone: str = "UTC"
    ) -> SubscriptionSummary:
        self.installs.append((account, installer_id))
        self.installed.add(account)
        return self.account_status.subscription

    def office_names(self, account: AccountKey, actor: Actor) -> list[str]:
        self._read("office_names", account)
        return list(self.offices)

    def office_choices(self, account: AccountKey, actor: Actor) -> OfficeChoices:
        self._read("office_choices", account)
        return OfficeChoices(names=list(self.offices), default=self.default_office)

    def status(self, account: AccountKey, actor: Actor) -> AccountStatus:
        self._read("status", account)
        if self.status_refusal is not None:
            raise self.status_refusal
        return self.account_status

    def can_start(
        self, account: AccountKey, actor: Actor, request_type: type[Request[Any]]
    ) -> None:
        self._read("can_start", account)
        refusal = self._refusals.get(("start", request_type))
        if refusal is not None:
            raise refusal

    def quote(self, account: AccountKey, actor: Actor, request: Request[R]) -> R:
        self.calls.append(Call("quote", account, actor, request))
        return self._result("quote", request)

    def handle(
        self,
        account: AccountKey,
        actor: Actor,
        request: Request[R],
        idempotency_key: str | None = None,
        *,
        shown: BaseModel | None = None,
    ) -> R:
        self.calls.append(Call("handle", account, actor, request, idempotency_key, shown))
        return self._result("handle", request)

    def users(
        self,
        account: AccountKey,
        actor: Actor,
        product: str | None = None,
        office: str | None = None,
        *,
        limit: int = 200,
    ) -> list[PoolHolders]:
        self._read("users", account)
        if self.users_refusal is not None:
            raise self.users_refusal
        return []

    def roles(self, account: AccountKey, actor: Actor) -> list[RoleView]:
        self._read("roles", account)
        return [ROLE]

    def invoices(self, account: AccountKey, actor: Actor, *, limit: int = 10) -> InvoiceHistory:
        self._read("invoices", account)
        return InvoiceHistory(time_zone="UTC", invoices=[], total=0, page=1, per_page=10)

    def audit(self, account: AccountKey, actor: Actor, *, limit: int = 50) -> AuditTrail:
        self._read("audit", account)
        return AuditTrail(time_zone="UTC", entries=[], total=0, page=1, per_page=25)

    def _read(self, name: str, account: AccountKey) -> None:
        self.reads.append(name)
        if account not in self.installed:
            raise AccountNotFound(account.team_id)

    def _result(self, method: Method, request: Request[R]) -> R:
        refusal = self._refusals.get((method, type(request)))
        if refusal is not None:
            raise refusal
        return cast(R, self._results[type(request)])


@dataclass(frozen=True)
class ApiCall:
    method: str
    args: dict[str, Any]


def _people() -> dict[str, dict[str, Any]]:
    return {
        ADMIN: {"is_admin": True},
        "U2": {},
        MEMBER: {},
        GONE: {"deleted": True},
        "UBOT": {"is_bot": True},
    }


@dataclass
class FakeClient:
    """Stands in for AsyncWebClient. A call is recorded when it is awaited, that is when it
    would reach Slack; users unknown to `people` get `user_not_found`."""

    people: dict[str, dict[str, Any]] = field(default_factory=_people)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by channel
    calls: list[ApiCall] = field(default_factory=list)

    def made(self, method: str) -> list[dict[str, Any]]:
        """The arguments of each call of `method`, in order."""
        return [c.args for c in self.calls if c.method == method]

    def order(self) -> list[str]:
        return [c.method for c in self.calls]

    def opened(self) -> dict[str, Any]:
        """The one view opened, as Slack receives it."""
        [opened] = self.made("views_open")
        return as_dict(opened["view"])

    def acking(self) -> AsyncMock:
        """An `ack` that is also recorded among the calls, to check what came after it."""
        return AsyncMock(side_effect=lambda **args: self.calls.append(ApiCall("ack", args)))

    @property
    def web(self) -> AsyncWebClient:
        return cast(AsyncWebClient, self)

    async def users_info(self, *, user: str) -> dict[str, Any]:
        self.calls.append(ApiCall("users_info", {"user": user}))
        if user not in self.people:
            raise SlackApiError(  # type: ignore[no-untyped-call]
                "user_not_found", {"ok": False, "error": "user_not_found"}
            )
        return {"ok": True, "user": {"id": user, **self.people[user]}}

    async def views_open(self, *, trigger_id: str, view: View | dict[str, Any]) -> dict[str, Any]:
        self.calls.append(ApiCall("views_open", {"trigger_id": trigger_id, "view": view}))
        return {"ok": True, "view": {"id": "VOPENED"}}

    async def views_publish(self, *, user_id: str, view: View | dict[str, Any]) -> dict[str, Any]:
        self.calls.append(ApiCall("views_publish", {"user_id": user_id, "view": view}))
        return {"ok": True}

    async def chat_postEphemeral(self, *, channel: str, user: str, text: str) -> dict[str, Any]:
        self.calls.append(
            ApiCall("chat_postEphemeral", {"channel": channel, "user": user, "text": text})
        )
        return {"ok": True, "message_ts": "1.1"}

    async def chat_update(self, **args: Any) -> dict[str, Any]:
        self.calls.append(ApiCall("chat_update", args))
        return {"ok": True}

    async def conversations_info(self, *, channel: str) -> dict[str, Any]:
        self.calls.append(ApiCall("conversations_info", {"channel": channel}))
        return {"ok": True, "channel": {"id": channel, "is_member": True, "is_archived": False}}

    async def conversations_history(
        self, *, channel: str, latest: str, inclusive: bool, limit: int
    ) -> dict[str, Any]:
        args = {"channel": channel, "latest": latest, "inclusive": inclusive, "limit": limit}
        self.calls.append(ApiCall("conversations_history", args))
        older = [m for m in self.messages.get(channel, []) if float(m["ts"]) <= float(latest)]
        return {"ok": True, "messages": list(reversed(older))[:limit]}


def acked(ack: AsyncMock) -> dict[str, Any]:
    """The keyword arguments `ack` was awaited with, once."""
    ack.assert_awaited_once()
    assert ack.await_args is not None
    return dict(ack.await_args.kwargs)


def as_dict(view: View | dict[str, Any]) -> dict[str, Any]:
    return view.to_dict() if isinstance(view, View) else view


def bolt_context(
    user_id: str = ADMIN, team_id: str = "T1", channel_id: str | None = "C1"
) -> AsyncBoltContext:
    """What Bolt's middleware leaves in the context of a single-workspace request."""
    return AsyncBoltContext(
        {
            "team_id": team_id,
            "enterprise_id": None,
            "user_id": user_id,
            "channel_id": channel_id,
            "is_enterprise_install": False,
        }
    )


@dataclass
class Harness:
    """A listener's surroundings: the fakes, the Deps built on them and the Bolt context."""

    service: FakeService = field(default_factory=FakeService)
    client: FakeClient = field(default_factory=FakeClient)
    delivered: Mock = field(default_factory=Mock)  # deliver_soon
    context: AsyncBoltContext = field(default_factory=bolt_context)
    deps: Deps = field(init=False)

    def __post_init__(self) -> None:
        self.deps = Deps(service=self.service, catalog=load_catalog(), deliver_soon=self.delivered)

    def as_user(self, user_id: str, channel_id: str | None = "C1") -> None:
        self.context = bolt_context(user_id=user_id, channel_id=channel_id)

    @property
    def body(self) -> dict[str, Any]:
        """The body of a view submission by the context's user, from the workspace itself."""
        user = {"id": self.context.user_id, "team_id": self.context.team_id}
        return {"type": "view_submission", "user": user, "team": {"id": self.context.team_id}}

    def run(self, listener: Awaitable[T]) -> T:
        """Run a listener on a fresh event loop, then the work it left to run after its ack."""

        async def settled() -> T:
            result = await listener
            await self.deps.settle()
            return result

        return asyncio.run(settled())


def conforms(service: FakeService) -> LicensingPort:
    """mypy checks here that the fake still satisfies the port."""
    return service
