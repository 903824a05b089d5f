"""What a person asks licensebot to change: one frozen model per use case.

A request is parsed once at the edge (slash text, a modal, a button) and carried as its JSON,
so the review step and the Confirm that follows it act on exactly the same thing. Its JSON is
also the fingerprint of its idempotency key. `Request[R]` names the result the service returns.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from licensing.calendar import Interval
from licensing.model import RoleName
from licensing.schemas import (
    AccountStatus,
    AssignmentChange,
    PaymentView,
    PoolTarget,
    PurchaseQuote,
    RoleView,
    SeatChange,
    SubscribeQuote,
    SubscriptionChange,
)

R = TypeVar("R", bound=BaseModel)
Result = TypeVar("Result", bound=BaseModel, covariant=True)  # a request's result

SlackUserId = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{1,20}$")]
SlackChannelId = Annotated[str, StringConstraints(pattern=r"^[CGD][A-Z0-9]{1,20}$")]
Name = Annotated[str, StringConstraints(max_length=200)]


class Request(BaseModel, Generic[Result]):
    """`operation` names the request in the ledger, the idempotency records and activity logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    operation: ClassVar[str]

    @classmethod
    def result_type(cls) -> type[BaseModel]:
        """`R`, read from the parametrised base class pydantic made for it."""
        for base in cls.__mro__:
            args = getattr(base, "__pydantic_generic_metadata__", {}).get("args")
            if args:
                result: type[BaseModel] = args[0]
                return result
        raise TypeError(f"{cls.__name__} does not name its result type")


class _SeatRequest(Request[Result]):
    count: int
    product: Name
    office: Name | None = None


class Purchase(_SeatRequest[PurchaseQuote]):
    """Buy seats; `priced_at` is the moment the review priced them, so Confirm charges that.
    `then_assign`: the user whose refused assignment the seats are for, assigned one of them
    in the same step."""

    operation = "purchase"
    priced_at: AwareDatetime | None = None
    then_assign: SlackUserId | None = None


class ScheduleRemoval(_SeatRequest[SeatChange]):
    operation = "remove"


class Restore(_SeatRequest[SeatChange]):
    """`period_end`, set by a notice's button, refuses the restore once that period ended;
    `then_assign` as for a purchase."""

    operation = "restore"
    period_end: AwareDatetime | None = None
    then_assign: SlackUserId | None = None


class Assign(Request[AssignmentChange]):
    operation = "assign"
    user_id: SlackUserId
    product: Name
    office: Name | None = None


class Revoke(Request[AssignmentChange]):
    operation = "revoke"
    user_id: SlackUserId
    product: Name


class Subscribe(Request[SubscribeQuote]):
    """Convert to paid; `pools` sets the seats each pool keeps (the others stay as they are).
    During the free trial the first period starts when it ends, unless `start_now`."""

    operation = "subscribe"
    interval: Interval
    pools: tuple[PoolTarget, ...] = Field(default=(), max_length=500)
    start_now: bool = False


class Cancel(Request[SubscriptionChange]):
    operation = "cancel"


class Reactivate(Request[SubscriptionChange]):
    operation = "reactivate"


class ChangeInterval(Request[SubscriptionChange]):
    """Billed monthly or annually from the next period on."""

    operation = "change_interval"
    interval: Interval


class _SettingRequest(Request[AccountStatus]):
    """A setting of the account; the result is its status with the setting changed."""


class SetNoticeChannel(_SettingRequest):
    operation = "notice_channel"
    channel_id: SlackChannelId


class SetReminderLead(_SettingRequest):
    operation = "notice_lead"
    days: int


class SetTimeZone(_SettingRequest):
    operation = "time_zone"
    time_zone: Name


class AddOffice(_SettingRequest):
    operation = "add_office"
    name: Name


class RenameOffice(_SettingRequest):
    operation = "rename_office"
    office: Name
    new_name: Name


class RemoveOffice(_SettingRequest):
    operation = "remove_office"
    office: Name


class _RoleRequest(Request[RoleView]):
    """A role of a user: company admin, or office admin of `office`."""

    user_id: SlackUserId
    role: RoleName
    office: Name | None = None


class GrantRole(_RoleRequest):
    operation = "grant_role"


class RevokeRole(_RoleRequest):
    operation = "revoke_role"


class SetBillingDetails(Request[SubscriptionChange]):
    operation = "billing"
    details: Annotated[str, StringConstraints(max_length=3000)]


class SetBillingContact(Request[SubscriptionChange]):
    """Who invoices name; each field is checked as `licensing.contact` says."""

    operation = "billing_contact"
    company: Annotated[str, StringConstraints(max_length=3000)]
    email: Annotated[str, StringConstraints(max_length=3000)]
    address: Annotated[str, StringConstraints(max_length=3000)] = ""
    vat_id: Annotated[str, StringConstraints(max_length=3000)] = ""


class SetRetryDays(_SettingRequest):
    """The days after a charge first fails on which it is tried again, for this account."""

    operation = "payment_retries"
    days: Annotated[tuple[int, ...], Field(max_length=20)]


class RetryPayment(Request[PaymentView]):
    """Charge an unpaid invoice again now, rather than on the retry schedule."""

    operation = "retry_payment"
    invoice: int
