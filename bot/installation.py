"""Multi-workspace installs: Slack's OAuth flow, with installations and OAuth state kept by
slack_sdk's SQLAlchemy stores in licensebot's own database."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData

from bot.settings import Settings
from licensing.schemas import AccountKey
from licensing.service import LicensingService

# Reading history lets the notice dispatcher check whether an interrupted post landed;
# reading channels lets `/license channel` check that notices can go there.
BOT_SCOPES = [
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "users:read",
]
INSTALLATIONS_TABLE, BOTS_TABLE, STATES_TABLE = (
    "slack_installations",
    "slack_bots",
    "slack_oauth_states",
)
OAUTH_STATE_SECONDS = 600

# The stores' tables, so that migrations create them with the rest of the schema.
metadata = MetaData()
SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS_TABLE)
SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, STATES_TABLE)

log = logging.getLogger(__name__)


class ThreadedInstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy store, called off the event loop."""

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self._store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self._store.save_bot, bot)

    async def async_find_bot(self, **kwargs: Any) -> Bot | None:
        return await asyncio.to_thread(lambda: self._store.find_bot(**kwargs))

    async def async_find_installation(self, **kwargs: Any) -> Installation | None:
        return await asyncio.to_thread(lambda: self._store.find_installation(**kwargs))

    async def async_delete_bot(self, **kwargs: Any) -> None:
        await asyncio.to_thread(lambda: self._store.delete_bot(**kwargs))

    async def async_delete_installation(self, **kwargs: Any) -> None:
        await asyncio.to_thread(lambda: self._store.delete_installation(**kwargs))


class ThreadedStateStore(AsyncOAuthStateStore):
    def __init__(self, store: SQLAlchemyOAuthStateStore) -> None:
        self._store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self._store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self._store.consume, state)


def oauth_settings(
    settings: Settings, engine: Engine, service: LicensingService
) -> AsyncOAuthSettings:
    assert settings.slack_client_id and settings.slack_client_secret

    async def open_account(args: AsyncSuccessArgs) -> BoltResponse:
        installed = args.installation
        key = AccountKey.of_installation(
            installed.team_id, installed.enterprise_id, installed.is_enterprise_install
        )
        await asyncio.to_thread(service.install, key, installed.user_id)
        return await args.default.success(args)

    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=BOT_SCOPES,
        installation_store=ThreadedInstallationStore(
            SQLAlchemyInstallationStore(
                client_id=settings.slack_client_id,
                engine=engine,
                installations_table_name=INSTALLATIONS_TABLE,
                bots_table_name=BOTS_TABLE,
            )
        ),
        state_store=ThreadedStateStore(
            SQLAlchemyOAuthStateStore(
                expiration_seconds=OAUTH_STATE_SECONDS, engine=engine, table_name=STATES_TABLE
            )
        ),
        callback_options=AsyncCallbackOptions(success=open_account, failure=_default_failure),
    )


async def _default_failure(args: Any) -> BoltResponse:
    return await args.default.failure(args)  # type: ignore[no-any-return]
