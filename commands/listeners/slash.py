"""`/license`: parse → authorise (in the service) → act → answer, in the ack itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from commands.carried import PEOPLE_ACTIONS, SEAT_ACTIONS, SeatPreset
from commands.deps import Deps
from commands.listeners.subscription import SubscriptionModals
from commands.parsing.fields import SEAT_REQUESTS
from commands.parsing.slash_text import (
    LicenseCommand,
    UsageError,
    build_request,
    interval_of,
    needs_office_names,
    parse,
)
from commands.views.billing import billing_message, retries_message
from commands.views.common import Message, text_message
from commands.views.history import audit_message, invoices_message
from commands.views.people import (
    assigned_message,
    not_listed_message,
    people_entry_modal,
    revoked_message,
    role_text,
    roles_message,
    users_message,
)
from commands.views.seats import no_seat_message, seats_entry_modal
from commands.views.status import (
    current_time_zone_message,
    help_message,
    reminders_message,
    status_message,
    time_zone_message,
)
from commands.views.subscription import interval_changed_message
from licensing.card_data import holds_card_data
from licensing.errors import (
    CardNumberInText,
    InvalidSeatCount,
    LicensingError,
    NoSeatAvailable,
    NotAllowed,
)
from licensing.model import RoleName
from licensing.requests import (
    AddOffice,
    Assign,
    ChangeInterval,
    GrantRole,
    RemoveOffice,
    RenameOffice,
    Revoke,
    RevokeRole,
    SetBillingDetails,
    SetNoticeChannel,
    SetReminderLead,
    SetRetryDays,
    SetTimeZone,
)
from licensing.schemas import AccountKey, Actor, OfficeChoices

CHANNEL_USAGE = "Name the channel: `/license channel #licenses`."
ADMINS_USAGE = "Name the user: `/license admins add @dana [office]`."


class SlashCommand:
    def __init__(self, deps: Deps, subscription: SubscriptionModals) -> None:
        self.deps = deps
        self.subscription = subscription

    async def handle(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        try:
            text = str(command.get("text") or "")
            if holds_card_data(text):  # refused before anything reads it further
                raise CardNumberInText()
            key, actor = await self.deps.requester(context, client, command)
            offices = OfficeChoices(names=[], default=None)
            if needs_office_names(text):
                offices = await self.deps.call(self.deps.service.office_choices, key, actor)
            parsed = parse(text, self.deps.catalog, offices.names)
            opened = _Invocation(key, actor, offices, command, client)
            reply = await self._run(parsed, opened)
        except (UsageError, LicensingError) as refusal:
            reply = text_message(refusal.message)
        await ack(**reply) if reply else await ack()

    async def _run(self, command: LicenseCommand, at: _Invocation) -> Message | None:
        name = command.name
        if name == "help":
            return help_message()
        if name == "status":
            status = await self.deps.call(self.deps.service.status, at.key, at.actor)
            return status_message(status, command.office)
        if name in SEAT_ACTIONS:
            action = SEAT_ACTIONS[name]
            self._check_count(command.count)
            await self.deps.can_start(at.key, at.actor, SEAT_REQUESTS[action])
            preset = SeatPreset(count=command.count, product=command.product, office=command.office)
            modal = seats_entry_modal(
                action,
                self.deps.catalog,
                at.offices.names,
                preset,
                default_office=at.offices.default,
            )
            await at.open(modal)
            return None
        if name in ("assign", "revoke"):
            return await self._people(command, at)
        if name == "users":
            return await self._users(command, at)
        if name == "subscription":
            return await self._subscription(command, at)
        if name in ("invoices", "audit"):
            return await self._history(command, at)
        if name == "admins":
            return await self._admins(command, at)
        return await self._settings(command, at)

    def _check_count(self, count: int | None) -> None:
        """A count no request can take is refused now, not put into a modal."""
        maximum = self.deps.service.policy.max_seats
        if count is not None and not 1 <= count <= maximum:
            raise InvalidSeatCount(count, maximum)

    async def _people(self, command: LicenseCommand, at: _Invocation) -> Message | None:
        if command.user_id is None or command.product is None:
            channel = str(at.command.get("channel_id") or "")
            action = PEOPLE_ACTIONS[command.name]
            await self.deps.can_start(at.key, at.actor, Assign if action == "assign" else Revoke)
            modal = people_entry_modal(
                action, self.deps.catalog, at.offices.names, command, channel, at.offices.default
            )
            await at.open(modal)
            return None
        await self._check_member(at, command.user_id)
        if command.name == "revoke":
            revoke = build_request(Revoke, user_id=command.user_id, product=command.product)
            return revoked_message(await self.deps.handle(at.key, at.actor, revoke))
        office = command.office or at.offices.default
        assign = build_request(
            Assign, user_id=command.user_id, product=command.product, office=office
        )
        try:
            return assigned_message(await self.deps.handle(at.key, at.actor, assign))
        except NoSeatAvailable as refusal:
            return no_seat_message(refusal, command.product, office or "Main", command.user_id)

    async def _users(self, command: LicenseCommand, at: _Invocation) -> Message:
        service = self.deps.service
        try:
            holders = await self.deps.call(
                service.users, at.key, at.actor, command.product, command.office
            )
        except NotAllowed as refusal:
            status = await self.deps.call(service.status, at.key, at.actor)
            return not_listed_message(refusal, status)
        product = self.deps.catalog.get(command.product) if command.product else None
        return users_message(holders, product.name if product else None, command.office)

    async def _history(self, command: LicenseCommand, at: _Invocation) -> Message:
        """A page of invoices or of the audit log: `/license invoices 2` is the second."""
        service, page = self.deps.service, command.count or 1
        if page < 1:
            raise UsageError(f"Pages are counted from 1: `/license {command.name} 2`.")
        if command.name == "invoices":
            history = await self.deps.call(lambda: service.invoices(at.key, at.actor, page=page))
            return invoices_message(history)
        trail = await self.deps.call(lambda: service.audit(at.key, at.actor, page=page))
        return audit_message(trail)

    async def _settings(self, command: LicenseCommand, at: _Invocation) -> Message:
        name, handle = command.name, self.deps.handle
        if name == "channel":
            if command.channel_id is None:
                return text_message(CHANNEL_USAGE)
            channel = build_request(SetNoticeChannel, channel_id=command.channel_id)
            await self._check_channel(at, command.channel_id)
            await handle(at.key, at.actor, channel)
            return text_message(f"Notices will go to <#{command.channel_id}>.")
        if name == "reminders":
            if command.count is None:
                status = await self.deps.call(self.deps.service.status, at.key, at.actor)
            else:
                lead = build_request(SetReminderLead, days=command.count)
                status = await handle(at.key, at.actor, lead)
            return reminders_message(status)
        if name == "retries":
            if not command.text:
                status = await self.deps.call(self.deps.service.status, at.key, at.actor)
            else:
                days = tuple(int(day) for day in command.text.split(","))
                status = await handle(at.key, at.actor, build_request(SetRetryDays, days=days))
            return retries_message(status)
        if name == "timezone":
            if not command.text.strip():
                status = await self.deps.call(self.deps.service.status, at.key, at.actor)
                return current_time_zone_message(status)
            zone = build_request(SetTimeZone, time_zone=command.text)
            status = await handle(at.key, at.actor, zone)
            return time_zone_message(status)
        return await self._offices(command, at)

    async def _offices(self, command: LicenseCommand, at: _Invocation) -> Message:
        handle = self.deps.handle
        if command.action == "add":
            status = await handle(at.key, at.actor, build_request(AddOffice, name=command.text))
        elif command.action == "rename":
            rename = build_request(RenameOffice, office=command.office, new_name=command.text)
            status = await handle(at.key, at.actor, rename)
        elif command.action == "remove":
            status = await handle(
                at.key, at.actor, build_request(RemoveOffice, office=command.text)
            )
        else:
            return text_message(f"Offices: {', '.join(at.offices.names)}.")
        return text_message(f"Offices: {', '.join(status.offices)}.")

    async def _admins(self, command: LicenseCommand, at: _Invocation) -> Message:
        if command.action == "list":
            return roles_message(await self.deps.call(self.deps.service.roles, at.key, at.actor))
        if command.user_id is None:
            return text_message(ADMINS_USAGE)
        role = RoleName.OFFICE_ADMIN if command.office else RoleName.COMPANY_ADMIN
        fields = {"user_id": command.user_id, "role": role, "office": command.office}
        if command.action == "add":
            await self._check_member(at, command.user_id)
            view = await self.deps.handle(at.key, at.actor, build_request(GrantRole, **fields))
            verb = "is now"
        else:
            view = await self.deps.handle(at.key, at.actor, build_request(RevokeRole, **fields))
            verb = "is no longer"
        return text_message(role_text(view.user_id, role, view.office, verb))

    async def _subscription(self, command: LicenseCommand, at: _Invocation) -> Message | None:
        if command.action == "billing":
            if not command.text.strip():
                return await self._billing(at)
            details = build_request(SetBillingDetails, details=command.text)
            await self.deps.handle(at.key, at.actor, details)
            return text_message("Billing details saved.")
        if command.action == "interval":
            switch = ChangeInterval(interval=interval_of(command.text))
            return interval_changed_message(await self.deps.handle(at.key, at.actor, switch))
        if command.action in ("subscribe", "cancel", "reactivate"):
            interval = command.text.strip() or None
            trigger = str(at.command["trigger_id"])
            await self.subscription.open(
                command.action, interval, at.key, at.actor, trigger, at.client
            )
            return None
        return status_message(await self.deps.call(self.deps.service.status, at.key, at.actor))

    async def _billing(self, at: _Invocation) -> Message:
        """Who invoices name, and where they are collected the card on file, what is owed,
        and a fresh link to the card page (company admins)."""
        status = await self.deps.call(self.deps.service.status, at.key, at.actor)
        if status.contact is None:
            raise NotAllowed("see or change billing details", "company admins")
        card_page = await self.deps.card_page(at.key, at.actor)
        return billing_message(status.contact, status.billing, status.currency, card_page)

    async def _check_channel(self, at: _Invocation, channel: str) -> None:
        """Notices must be able to go there: a channel licensebot is in, not archived."""
        try:
            info = (await at.client.conversations_info(channel=channel))["channel"]
        except SlackApiError as exc:
            if exc.response.get("error") != "channel_not_found":
                raise
            info = {}
        if info.get("is_archived"):
            raise UsageError(f"<#{channel}> is archived. Pick a channel that is in use.")
        if not info.get("is_member"):
            raise UsageError(
                f"licensebot is not in <#{channel}>. Invite it there first "
                "(`/invite @licensebot`), then run this again."
            )

    async def _check_member(self, at: _Invocation, user: str) -> None:
        person = await self.deps.directory.person(at.client, at.key, user)
        if person is None or not person.active:
            raise UsageError(
                f"<@{user}> is not an active member of this workspace. "
                "Pick someone from the workspace."
            )


@dataclass(frozen=True)
class _Invocation:
    """One `/license` as it is being answered: whose account, who, and where."""

    key: AccountKey
    actor: Actor
    offices: OfficeChoices
    command: dict[str, Any]
    client: AsyncWebClient

    async def open(self, modal: Any) -> None:
        await self.client.views_open(trigger_id=self.command["trigger_id"], view=modal)
