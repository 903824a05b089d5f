"""`/license`: ack → parse → authorise (in the service) → act → render."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands.deps import Deps
from commands.parsing import (
    SEAT_COMMANDS,
    LicenseCommand,
    UsageError,
    needs_office_names,
    parse,
)
from commands.subscription import SubscriptionModals
from commands.views.common import text_message
from commands.views.history import audit_message, invoices_message
from commands.views.people import (
    assigned_message,
    people_entry_modal,
    revoked_message,
    roles_message,
    users_message,
)
from commands.views.seats import no_seat_message, seats_entry_modal
from commands.views.status import help_message, reminders_message, status_message
from licensing.errors import LicensingError, NoSeatAvailable
from licensing.model import RoleName
from licensing.schemas import AccountKey, Actor

CHANNEL_USAGE = "Name the channel: `/license channel #licenses`."


class SlashCommand:
    def __init__(self, deps: Deps, subscription: SubscriptionModals) -> None:
        self.deps = deps
        self.subscription = subscription

    async def handle(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        try:
            key, actor = await self.deps.requester(client, body)
            text = body.get("text", "")
            offices = []
            if needs_office_names(text):
                offices = await self.deps.call(self.deps.service.office_names, key, actor)
            command = parse(text, self.deps.catalog, offices)
            reply = await self._run(command, key, actor, offices, body, client)
        except (UsageError, LicensingError) as refusal:
            reply = text_message(refusal.message)
        await ack(**reply) if reply else await ack()

    async def _run(
        self,
        command: LicenseCommand,
        key: AccountKey,
        actor: Actor,
        offices: list[str],
        body: dict[str, Any],
        client: AsyncWebClient,
    ) -> dict[str, Any] | None:
        service, call = self.deps.service, self.deps.call
        name = command.name
        if name == "help":
            return help_message()
        if name == "status":
            return status_message(await call(service.status, key, actor))
        if name in SEAT_COMMANDS:
            modal = seats_entry_modal(
                name, self.deps.catalog, offices, command.count, command.product, command.office
            )
            await client.views_open(trigger_id=body["trigger_id"], view=modal)
            return None
        if name in ("assign", "revoke") and (command.user_id is None or command.product is None):
            modal = people_entry_modal(
                name, self.deps.catalog, offices, command, body.get("channel_id", "")
            )
            await client.views_open(trigger_id=body["trigger_id"], view=modal)
            return None
        if name == "assign":
            assert command.user_id and command.product
            await self._check_member(client, command.user_id)
            try:
                change = await call(
                    service.assign, key, actor, command.user_id, command.product, command.office
                )
            except NoSeatAvailable as refusal:
                return no_seat_message(refusal, command.product, command.office or "Main")
            return assigned_message(change)
        if name == "revoke":
            assert command.user_id and command.product
            return revoked_message(
                await call(service.revoke, key, actor, command.user_id, command.product)
            )
        if name == "users":
            return users_message(
                await call(service.users, key, actor, command.product, command.office)
            )
        if name == "subscription":
            return await self._subscription(command, key, actor, body["trigger_id"], client)
        return await self._account_command(command, key, actor, client)

    async def _account_command(
        self, command: LicenseCommand, key: AccountKey, actor: Actor, client: AsyncWebClient
    ) -> dict[str, Any]:
        service, call = self.deps.service, self.deps.call
        name, action = command.name, command.action
        if name in ("invoices", "audit"):
            tz = (await call(service.status, key, actor)).subscription.time_zone
            if name == "invoices":
                return invoices_message(await call(service.invoices, key, actor), tz)
            return audit_message(await call(service.audit, key, actor, limit=25), tz)
        if name == "channel":
            if command.channel_id is None:
                return text_message(CHANNEL_USAGE)
            await call(service.set_notice_channel, key, actor, command.channel_id)
            return text_message(f"Notices will go to <#{command.channel_id}>.")
        if name == "reminders":
            if command.count is None:
                status = await call(service.status, key, actor)
            else:
                status = await call(service.set_notice_lead, key, actor, command.count)
            return reminders_message(status)
        if name == "timezone":
            status = await call(service.set_time_zone, key, actor, command.text)
            return text_message(f"Billing time zone is now {status.subscription.time_zone}.")
        if name == "offices":
            if action == "add":
                status = await call(service.add_office, key, actor, command.text)
                return text_message(f"Offices: {', '.join(status.offices)}.")
            return text_message(
                f"Offices: {', '.join(await call(service.office_names, key, actor))}."
            )
        return await self._admins(command, key, actor, client)

    async def _admins(
        self, command: LicenseCommand, key: AccountKey, actor: Actor, client: AsyncWebClient
    ) -> dict[str, Any]:
        service, call = self.deps.service, self.deps.call
        if command.action == "list":
            return roles_message(await call(service.roles, key, actor))
        if command.user_id is None:
            return text_message("Name the user: `/license admins add @dana [office]`.")
        role = RoleName.OFFICE_ADMIN if command.office else RoleName.COMPANY_ADMIN
        if command.action == "add":
            await self._check_member(client, command.user_id)
            view = await call(service.grant_role, key, actor, command.user_id, role, command.office)
            verb = "is now"
        else:
            view = await call(
                service.revoke_role, key, actor, command.user_id, role, command.office
            )
            verb = "is no longer"
        where = f" of {view.office}" if view.office else ""
        return text_message(f"<@{view.user_id}> {verb} a {role.replace('_', ' ')}{where}.")

    async def _subscription(
        self,
        command: LicenseCommand,
        key: AccountKey,
        actor: Actor,
        trigger_id: str,
        client: AsyncWebClient,
    ) -> dict[str, Any] | None:
        service, call = self.deps.service, self.deps.call
        if command.action == "billing":
            if not command.text.strip():
                return text_message("Add the details: `/license subscription billing <details>`.")
            await call(service.set_billing_details, key, actor, command.text)
            return text_message("Billing details saved.")
        if command.action in ("subscribe", "cancel", "reactivate"):
            await self.subscription.open(command, key, actor, trigger_id, client)
            return None
        return status_message(await call(service.status, key, actor))

    async def _check_member(self, client: AsyncWebClient, user: str) -> None:
        person = await self.deps.directory.person(client, user)
        if person is None or not person.active:
            raise UsageError(
                f"<@{user}> is not an active member of this workspace. "
                "Pick someone from the workspace."
            )
