"""The notice dispatcher's Slack side: which client posts for which account."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine

from bot.installation import BOTS_TABLE, INSTALLATIONS_TABLE
from bot.settings import Settings
from commands.views.notices import notice_message
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from scheduler.delivery import ClientFor, Dispatcher


def dispatcher(settings: Settings, engine: Engine, work: ScheduledWork) -> Dispatcher | None:
    """A dispatcher when Slack credentials are set; without them notices wait in the outbox."""
    client_for = _clients(settings, engine)
    return Dispatcher(work, notice_message, client_for) if client_for else None


def _clients(settings: Settings, engine: Engine) -> ClientFor | None:
    if settings.slack_bot_token:
        client = _client(settings, settings.slack_bot_token)
        return lambda key: client
    if not settings.slack_client_id:
        return None
    store = SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        installations_table_name=INSTALLATIONS_TABLE,
        bots_table_name=BOTS_TABLE,
    )

    def installed(key: AccountKey) -> WebClient | None:
        bot = find_bot(store, key)
        return _client(settings, bot.bot_token) if bot and bot.bot_token else None

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


def _client(settings: Settings, token: str) -> WebClient:
    # No retry handlers: the dispatcher retries itself, after looking whether the post landed.
    return WebClient(token=token, base_url=settings.slack_api_url, retry_handlers=[])
