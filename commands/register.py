"""Binds every listener to its id, in one place."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from commands import ids
from commands.actions import HomeTab, SeatButtons
from commands.deps import Deps
from commands.modals import SeatModals
from commands.notices import NoticeButtons
from commands.people import PeopleModal
from commands.slash import SlashCommand
from commands.subscription import SubscriptionModals

COMMAND = "/license"


def register(app: AsyncApp, deps: Deps) -> None:
    subscription = SubscriptionModals(deps)
    slash, modals, buttons = SlashCommand(deps, subscription), SeatModals(deps), SeatButtons(deps)
    app.command(COMMAND)(slash.handle)
    app.view(ids.SEATS_ENTRY)(modals.entry)
    app.view(ids.SEATS_REVIEW)(modals.confirm)
    app.view(ids.SUBSCRIPTION_ENTRY)(subscription.entry)
    app.view(ids.PEOPLE_ENTRY)(PeopleModal(deps).submit)
    app.view(ids.SUBSCRIPTION_REVIEW)(subscription.confirm)
    app.action(ids.OPEN_BUY)(buttons.open_buy)
    app.action(ids.OPEN_RESTORE)(buttons.open_restore)
    app.action(ids.OPEN_REMOVE)(buttons.open_remove)
    notices = NoticeButtons(deps)
    app.action(ids.NOTICE_RESTORE)(notices.restore)
    app.action(ids.NOTICE_REACTIVATE)(notices.reactivate)
    app.action(ids.NOTICE_SUBSCRIBE)(notices.subscribe)
    app.event("app_home_opened")(HomeTab(deps).opened)
