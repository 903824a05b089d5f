"""Who holds which seat and role: assign and revoke, users, admins."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, InputBlock, PlainTextObject, UserSelectElement
from slack_sdk.models.views import View

from commands import ids
from commands.carried import PeopleAction, PeopleEntry
from commands.parsing.slash_text import LicenseCommand
from commands.views.common import Message, _office_input, _product_input, plural, text_message
from commands.views.status import your_seats
from licensing.catalog import Catalog
from licensing.errors import NotAllowed
from licensing.schemas import AccountStatus, AssignmentChange, PoolHolders, RoleView
from licensing.words import a


def people_entry_modal(
    action: PeopleAction,
    catalog: Catalog,
    offices: list[str],
    command: LicenseCommand,
    channel_id: str,
    default_office: str | None = None,
) -> View:
    """Asks for what `/license assign` or `revoke` was not given; acts on submit."""
    user_input = InputBlock(
        block_id=ids.USER_BLOCK,
        label="User",
        element=UserSelectElement(action_id=ids.USER_ACTION, initial_user=command.user_id),
    )
    blocks: list[Block] = [user_input, _product_input(catalog, command.product)]
    if action == "assign":
        blocks.append(_office_input(offices, command.office, default_office))
    title = "Assign a seat" if action == "assign" else "Revoke a seat"
    return View(
        type="modal",
        callback_id=ids.PEOPLE_ENTRY,
        private_metadata=PeopleEntry(action=action, channel=channel_id).dump(),
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text="Assign" if action == "assign" else "Revoke"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


def assigned_message(change: AssignmentChange) -> Message:
    return text_message(
        f"<@{change.user_id}> now holds {a(change.product_name + ' seat')} in {change.office}. "
        f"{plural(change.pool_after.available, 'seat')} left."
    )


def revoked_message(change: AssignmentChange) -> Message:
    also = f" Also revoked: {', '.join(change.also_revoked)}." if change.also_revoked else ""
    return text_message(
        f"<@{change.user_id}> no longer holds {a(change.product_name + ' seat')} in "
        f"{change.office}."
        f"{also} The seat is available again."
    )


def users_message(
    pools: list[PoolHolders], product: str | None = None, office: str | None = None
) -> Message:
    """`product` and `office`: the names asked for, if any."""
    if not pools:
        what = f"{product} seats" if product else "seats"
        where = f" in {office}" if office else ""
        return text_message(f"No {what}{where} yet, so nobody holds one. Try `/license status`.")
    lines = []
    for pool in pools:
        holders = ", ".join(f"<@{u}>" for u in pool.user_ids) or "nobody"
        more = " and more" if pool.more else ""
        lines.append(f"*{pool.product_name}* in {pool.office}: {holders}{more}")
    return text_message("\n".join(lines))


def not_listed_message(refusal: NotAllowed, status: AccountStatus) -> Message:
    """A member asked who holds seats: they may not see that, but may see their own."""
    return text_message(f"{refusal.message}\nYour seats: {your_seats(status)}.")


def role_text(user_id: str, role: str, office: str | None, verb: str) -> str:
    """`<@U1> is now an office admin of Berlin.`"""
    where = f" of {office}" if office else ""
    return f"<@{user_id}> {verb} {a(role.replace('_', ' '))}{where}."


def roles_message(roles: list[RoleView]) -> Message:
    lines = [
        f"<@{r.user_id}> — {r.role.replace('_', ' ')}" + (f" of {r.office}" if r.office else "")
        for r in roles
    ]
    return text_message("\n".join(lines) + "\nWorkspace owners and admins are company admins too.")
