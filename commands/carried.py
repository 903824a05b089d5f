"""What Slack carries for licensebot from one step to the next: a modal's private_metadata and a
button's value, as models. Each is written from a model's JSON and read back through the same
model, so a value that was tampered with or cut short is refused, never half-read."""

from __future__ import annotations

from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from licensing.requests import (
    Cancel,
    Purchase,
    Reactivate,
    Request,
    Restore,
    RetryPayment,
    ScheduleRemoval,
)
from licensing.requests import Subscribe as SubscribeRequest

SeatAction = Literal["buy", "remove", "restore"]
PeopleAction = Literal["assign", "revoke"]
SEAT_ACTIONS: dict[str, SeatAction] = {action: action for action in get_args(SeatAction)}
PEOPLE_ACTIONS: dict[str, PeopleAction] = {action: action for action in get_args(PeopleAction)}

# The requests that are confirmed after a review, by their operation.
REVIEWED: dict[str, type[Request[Any]]] = {
    r.operation: r
    for r in (Purchase, ScheduleRemoval, Restore, SubscribeRequest, Cancel, Reactivate)
}
# The requests made under an idempotency key, whose results are logged in the notice channel:
# the reviewed ones, and those of buttons on notices.
LOGGED: dict[str, type[Request[Any]]] = {**REVIEWED, RetryPayment.operation: RetryPayment}


class DamagedPayload(Exception):
    """A modal or button came back in a shape licensebot did not write."""

    message = (
        "This form or button is out of date or damaged, so nothing was done. "
        "Run the `/license` command again."
    )


class Carried(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def dump(self) -> str:
        return self.model_dump_json(exclude_defaults=True)


C = TypeVar("C", bound=Carried)


def read(model: type[C], text: str | None) -> C:
    try:
        return model.model_validate_json(text or "{}")
    except ValidationError as exc:
        raise DamagedPayload() from exc


class NoticeRef(Carried):
    """Where a button on a notice was clicked, to update the notice once its modal is done."""

    channel: str
    ts: str
    block: str


class SeatPreset(Carried):
    """What a button fills into the seat modal it opens."""

    count: int | None = None
    product: str | None = None
    office: str | None = None
    notice: int | None = None  # the notice whose "Choose how many…" button opened it
    assign: str | None = None  # whose refused assignment the seats are for


class SeatEntry(Carried):
    action: SeatAction
    notice: NoticeRef | None = None
    assign: str | None = None


class PeopleEntry(Carried):
    action: PeopleAction
    channel: str


class PoolField(Carried):
    office: str
    product: str


class SubscribeEntry(Carried):
    """The pools whose seat fields the subscribe modal shows, in block order."""

    pools: tuple[PoolField, ...] = ()
    notice: NoticeRef | None = None


class NoticeButton(Carried):
    notice: int


class PaymentButton(Carried):
    """A button on a failed charge's notice: which invoice it is about."""

    notice: int
    invoice: int


class RestoreButton(Carried):
    notice: int
    restore: Restore


class Review(Carried):
    """A review step: the request and the quote it showed, applied only as shown."""

    operation: Literal["purchase", "remove", "restore", "subscribe", "cancel", "reactivate"]
    request: dict[str, Any]
    shown: dict[str, Any]
    notice: NoticeRef | None = None

    @classmethod
    def of(cls, request: Request[Any], shown: BaseModel, notice: NoticeRef | None) -> Review:
        return cls(
            operation=request.operation,
            request=request.model_dump(mode="json"),
            shown=shown.model_dump(mode="json"),
            notice=notice,
        )

    def reviewed(self) -> tuple[Request[Any], BaseModel]:
        """The typed request and the quote shown; DamagedPayload if either does not parse."""
        request_type = REVIEWED[self.operation]
        try:
            request = request_type.model_validate(self.request)
            return request, request_type.result_type().model_validate(self.shown)
        except ValidationError as exc:
            raise DamagedPayload() from exc
