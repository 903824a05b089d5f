"""A modal's fields (the view state Slack sends on submission) to a request. Pure: a field
that is wrong is refused on the field; a state that cannot have come from our own modal is a
damaged payload."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from commands import ids
from commands.carried import DamagedPayload, PeopleEntry, SeatEntry, SubscribeEntry
from licensing.card_data import holds_card_data
from licensing.errors import CardNumberInText
from licensing.requests import (
    Assign,
    Purchase,
    Restore,
    Revoke,
    ScheduleRemoval,
    SetBillingContact,
    Subscribe,
)
from licensing.schemas import PoolTarget

Q = TypeVar("Q", bound=BaseModel)


class FieldErrors(Exception):
    """Input that is wrong on a field: shown on the field, nothing changes."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


ViewState = Mapping[str, Mapping[str, Mapping[str, Any]]]
SEAT_REQUESTS: dict[str, type[Purchase | ScheduleRemoval | Restore]] = {
    "buy": Purchase,
    "remove": ScheduleRemoval,
    "restore": Restore,
}
WHOLE_NUMBER = "Enter a whole number of seats, e.g. 3."


def seat_request(entry: SeatEntry, state: ViewState) -> Purchase | ScheduleRemoval | Restore:
    text = _field(state, ids.COUNT_BLOCK, ids.COUNT_ACTION).get("value") or ""
    count = _whole_number(text)
    if count is None:
        raise FieldErrors({ids.COUNT_BLOCK: WHOLE_NUMBER})
    fields: dict[str, Any] = {
        "count": count,
        "product": _selected(state, ids.PRODUCT_BLOCK, ids.PRODUCT_ACTION),
        "office": _selected(state, ids.OFFICE_BLOCK, ids.OFFICE_ACTION),
    }
    if entry.assign is not None and entry.action != "remove":
        fields["then_assign"] = entry.assign
    return _build(SEAT_REQUESTS[entry.action], **fields)


def subscribe_request(entry: SubscribeEntry, state: ViewState) -> Subscribe:
    interval = _selected(state, ids.INTERVAL_BLOCK, ids.INTERVAL_ACTION)
    pools, errors = [], {}
    for index, pool in enumerate(entry.pools):
        block = ids.pool_seats_block(index)
        seats = _whole_number(_field(state, block, ids.COUNT_ACTION).get("value") or "")
        if seats is None:
            errors[block] = "Enter a whole number of seats, 0 or more."
            continue
        pools.append(PoolTarget(product=pool.product, office=pool.office, seats=seats))
    if errors:
        raise FieldErrors(errors)
    start_now = ids.START_BLOCK not in state or (
        _selected(state, ids.START_BLOCK, ids.START_ACTION) == ids.START_NOW
    )
    return _build(Subscribe, interval=interval, pools=tuple(pools), start_now=start_now)


def people_request(entry: PeopleEntry, state: ViewState) -> Assign | Revoke:
    user = _field(state, ids.USER_BLOCK, ids.USER_ACTION).get("selected_user")
    product = _selected(state, ids.PRODUCT_BLOCK, ids.PRODUCT_ACTION)
    if entry.action == "revoke":
        return _build(Revoke, user_id=user, product=product)
    office = state.get(ids.OFFICE_BLOCK, {}).get(ids.OFFICE_ACTION, {}).get("selected_option")
    return _build(Assign, user_id=user, product=product, office=office["value"] if office else None)


def _whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _field(state: ViewState, block: str, action: str) -> Mapping[str, Any]:
    try:
        return state[block][action]
    except KeyError as exc:
        raise DamagedPayload() from exc


def _selected(state: ViewState, block: str, action: str) -> str:
    option = _field(state, block, action).get("selected_option")
    if not isinstance(option, Mapping) or not isinstance(option.get("value"), str):
        raise DamagedPayload()
    value: str = option["value"]
    return value


def _build(request_type: type[Q], **fields: Any) -> Q:
    try:
        return request_type(**fields)
    except ValidationError as exc:
        raise DamagedPayload() from exc


def contact_request(state: ViewState) -> SetBillingContact:
    """The billing contact modal's fields; card data in any of them is refused on its field
    before the request is made, so it goes no further."""
    fields = {
        name: _field(state, block, action).get("value") or ""
        for name, (block, action) in ids.CONTACT_FIELDS.items()
    }
    if not all(isinstance(value, str) for value in fields.values()):
        raise DamagedPayload()
    carded = {
        ids.CONTACT_FIELDS[name][0]: CardNumberInText().message
        for name, value in fields.items()
        if holds_card_data(value)
    }
    if carded:
        raise FieldErrors(carded)
    return _build(SetBillingContact, **fields)
