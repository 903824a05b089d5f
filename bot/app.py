"""The Bolt app: an AsyncApp that answers in the HTTP response itself
(`process_before_response=True`), which measured fastest; slow work runs after the answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from bot.installation import oauth_settings
from bot.settings import Settings
from commands.deps import Deps
from commands.listeners import register
from commands.port import BillingPort
from commands.unreachable import answer_unreachable
from licensing.catalog import Catalog
from licensing.db import is_unreachable, reason
from licensing.service import LicensingService

log = logging.getLogger(__name__)


class _TokenInTheClient(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and, given a client as well,
    warns that the token will be unused. The client (`web_client`) carries that same token, so
    the warning would only alarm whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_TOKEN_IN_THE_CLIENT = _TokenInTheClient()


def web_client(settings: Settings) -> AsyncWebClient:
    """A Web API client that waits out rate limits and retries server and connection errors."""
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_app(
    settings: Settings,
    service: LicensingService,
    catalog: Catalog,
    engine: Engine | None = None,
    deliver_soon: Callable[[], None] | None = None,
    billing: BillingPort | None = None,
) -> AsyncApp:
    """The app for one workspace (bot token), or for many (OAuth; needs the `engine` whose
    database keeps the installations). `deliver_soon` wakes the notice dispatcher after a
    change, so its log line reaches the channel at once. `billing` is given where invoices
    are collected: it makes the links to the card page."""
    settings.check_slack()
    oauth = None
    if settings.uses_oauth:
        assert engine is not None, "OAuth keeps installations in the database"
        oauth = oauth_settings(settings, engine, service)
    get_bolt_logger(AsyncApp).addFilter(_TOKEN_IN_THE_CLIENT)  # added once, however many apps
    app = AsyncApp(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret or "socket-mode",
        oauth_settings=oauth,
        process_before_response=True,
    )
    deps = Deps(
        service=service, catalog=catalog, billing=billing, card_return_url=settings.card_return_url
    )
    if deliver_soon:
        deps.deliver_soon = deliver_soon
    register(app, deps)

    @app.error
    async def _answer_errors(
        error: Exception,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> BoltResponse | None:
        """The one place a listener's errors are answered: a database that cannot be reached
        gets a "try again" in the request's own answer (not a 500, which Slack shows as a
        failure); anything else is a bug, logged whole."""
        request = body.get("command") or body.get("type")
        if is_unreachable(error):
            log.warning("answered %s: can't reach the database (%s)", request, reason(error))
            return BoltResponse(
                status=200, body=await answer_unreachable(body, client, context) or ""
            )
        log.error("unhandled error for %s", request, exc_info=error)
        return None

    return app
