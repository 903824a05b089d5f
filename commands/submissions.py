"""The answer to a modal's submission that is refused: input wrong on a field, and licensing's
refusals, are shown on their field; a payload that cannot have come from our own modal closes
it, with nothing changed."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from commands.carried import DamagedPayload
from commands.parsing.fields import FieldErrors
from commands.views.common import done_modal
from licensing.errors import LicensingError

REFUSALS = (FieldErrors, LicensingError, DamagedPayload)


async def refuse_submission(
    ack: AsyncAck,
    refusal: FieldErrors | LicensingError | DamagedPayload,
    field_of: Callable[[LicensingError], str],
) -> None:
    """Answer `refusal`; `field_of` names the block a licensing refusal is shown on."""
    if isinstance(refusal, FieldErrors):
        await ack(response_action="errors", errors=refusal.errors)
    elif isinstance(refusal, LicensingError):
        await ack(response_action="errors", errors={field_of(refusal): refusal.message})
    else:
        await ack(response_action="update", view=done_modal("Nothing changed", refusal.message))
