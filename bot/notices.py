"""The notice dispatcher's Slack side: which bot token posts for which account."""

from __future__ import annotations

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine

from bot.installation import BOTS_TABLE, INSTALLATIONS_TABLE
from bot.settings import Settings
from commands.views.notices import closed_notice, notice_message
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from scheduler.delivery import Dispatcher, TokenFor


def dispatcher(settings: Settings, engine: Engine, work: ScheduledWork) -> Dispatcher | None:
    """A dispatcher when Slack credentials are set; without them notices wait in the outbox."""
    token_for = _tokens(settings, engine)
    if token_for is None:
        return None
    return Dispatcher(
        work,
        notice_message,
        token_for,
        close=closed_notice,
        api_url=settings.slack_api_url,
        concurrency=settings.delivery_concurrency,
    )


def _tokens(settings: Settings, engine: Engine) -> TokenFor | None:
    token = settings.slack_bot_token
    if token:
        return lambda key: token
    if not settings.slack_client_id:
        return None
    store = SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        installations_table_name=INSTALLATIONS_TABLE,
        bots_table_name=BOTS_TABLE,
    )

    def installed(key: AccountKey) -> str | None:
        bot = find_bot(store, key)
        return bot.bot_token if bot else None

    return installed


def find_bot(store: SQLAlchemyInstallationStore, key: AccountKey) -> Bot | None:
    """The bot of an account's installation, found as Bolt's authorize finds it: the
    workspace's own, else (on Enterprise Grid) the org-wide installation's."""
    enterprise = key.enterprise_id or None
    if not key.org_wide:
        bot = store.find_bot(enterprise_id=enterprise, team_id=key.team_id)
        if bot is not None or enterprise is None:
            return bot
    return store.find_bot(enterprise_id=enterprise, team_id=None, is_enterprise_install=True)
