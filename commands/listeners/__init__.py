"""Every listener, bound to its id in one place. Each does ack → parse → service → render."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from commands import ids
from commands.confirm import ConfirmFlow
from commands.deps import Deps
from commands.listeners.billing import BillingContactModal
from commands.listeners.home import HomeTab
from commands.listeners.installs import Installations
from commands.listeners.notices import NoticeButtons
from commands.listeners.people import PeopleModal
from commands.listeners.seats import SeatButton, SeatModals
from commands.listeners.slash import SlashCommand
from commands.listeners.subscription import SubscriptionModals

COMMAND = "/license"


async def _link_opened(ack: AsyncAck) -> None:
    """A link button opens its page in the browser; Slack still reports the click."""
    await ack()


def register(app: AsyncApp, deps: Deps) -> None:
    confirm_flow = ConfirmFlow(deps)
    subscription = SubscriptionModals(deps, confirm_flow)
    seats = SeatModals(deps, confirm_flow)
    app.command(COMMAND)(SlashCommand(deps, subscription).handle)
    app.view(ids.SEATS_ENTRY)(seats.entry)
    app.view(ids.SEATS_REVIEW)(seats.confirm)
    app.view(ids.SUBSCRIPTION_ENTRY)(subscription.entry)
    app.view(ids.SUBSCRIPTION_REVIEW)(subscription.confirm)
    app.view(ids.PEOPLE_ENTRY)(PeopleModal(deps).submit)
    app.action(ids.OPEN_BUY)(SeatButton(deps, "buy").open)
    app.action(ids.OPEN_RESTORE)(SeatButton(deps, "restore").open)
    app.action(ids.OPEN_REMOVE)(SeatButton(deps, "remove").open)
    notices = NoticeButtons(deps)
    app.action(ids.NOTICE_RESTORE)(notices.restore)
    app.action(ids.NOTICE_REACTIVATE)(notices.reactivate)
    app.action(ids.NOTICE_SUBSCRIBE)(notices.subscribe)
    app.action(ids.NOTICE_RETRY_PAYMENT)(notices.retry_payment)
    app.action(ids.NOTICE_UPDATE_CARD)(notices.update_card)
    app.action(ids.CARD_PAGE)(_link_opened)
    contact = BillingContactModal(deps)
    app.action(ids.OPEN_BILLING_CONTACT)(contact.open)
    app.view(ids.BILLING_CONTACT)(contact.submit)
    app.event("app_home_opened")(HomeTab(deps).opened)
    installations = Installations(deps, app.installation_store)
    app.event("app_uninstalled")(installations.app_uninstalled)
    app.event("tokens_revoked")(installations.tokens_revoked)
