"""What can be refused before anyone fills in a form: who may start a change of this kind,
and whether the subscription allows it now. The change itself checks everything again."""

from __future__ import annotations

from typing import Any

from licensing import dunning, requests
from licensing.context import Context
from licensing.errors import BillingDetailsMissing, NotAllowed
from licensing.requests import Request

_SEAT_ACTIONS: dict[type[Request[Any]], str] = {
    requests.Purchase: "buy seats",
    requests.ScheduleRemoval: "remove seats",
    requests.Restore: "restore seats",
    requests.Assign: "assign seats",
    requests.Revoke: "revoke seats",
}
# The rule each checks, and what a refusal calls it.
_SUBSCRIPTION_ACTIONS: dict[type[Request[Any]], tuple[str, str]] = {
    requests.Subscribe: ("subscribe", "subscribe"),
    requests.Cancel: ("cancel", "cancel the subscription"),
    requests.Reactivate: ("reactivate", "reactivate the subscription"),
}


def check_can_start(context: Context, request_type: type[Request[Any]]) -> None:
    if request_type in _SEAT_ACTIONS:
        action = _SEAT_ACTIONS[request_type]
        if not context.access.manages_any_office():
            raise NotAllowed(action, "company admins and office admins")
        dunning.check_allows(context, action)
        return
    action, said = _SUBSCRIPTION_ACTIONS[request_type]
    context.access.require_company_admin(said)
    dunning.check_allows(context, action)
    if request_type is requests.Subscribe:
        if not context.account.billing_details:
            raise BillingDetailsMissing()
        dunning.check_card_on_file(context)
