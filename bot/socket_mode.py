"""Socket Mode: licensebot opens a websocket to Slack rather than listening for Slack, so it
needs no public address. Slack sends the payloads it would post over HTTP in envelopes on the
socket, and Bolt's answer goes back on it as each envelope's ack."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

# What only HTTP mode reads, and why Socket Mode does not.
HTTP_ONLY = {
    "host": ("LICENSEBOT_HOST", "no HTTP server listens"),
    "port": ("--port or LICENSEBOT_PORT", "no HTTP server listens"),
    "web_workers": ("LICENSEBOT_WEB_WORKERS", "one process holds the socket"),
    "slack_signing_secret": ("SLACK_SIGNING_SECRET", "Slack does not sign socket messages"),
}


def serve_socket_mode(app: AsyncApp, settings: Settings) -> None:
    """Answer Slack over its socket until SIGTERM or SIGINT, then close the socket and the
    Web API session and return."""
    assert settings.slack_app_token, "Socket Mode needs SLACK_APP_TOKEN"
    names = [name for name, _ in HTTP_ONLY.values()]
    print(
        f"licensebot: Socket Mode, through {settings.slack_api_url}; only HTTP mode reads "
        f"{', '.join(names[:-1])} and {names[-1]}",
        flush=True,
    )
    for line in _ignored(settings):
        print(f"licensebot: ignoring {line}", flush=True)
    asyncio.run(_until_signalled(app, settings.slack_app_token))


def _ignored(settings: Settings) -> list[str]:
    """The HTTP-only settings that were set, each with why it does not apply."""
    given = settings.model_fields_set
    return [f"{name} ({why})" for field, (name, why) in HTTP_ONLY.items() if field in given]


async def _until_signalled(app: AsyncApp, app_token: str) -> None:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, main.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await answer_slack(app, app_token)


async def answer_slack(app: AsyncApp, app_token: str) -> None:
    """Connect to Slack's socket through `app.client` (its Web API URL and session) and answer
    until cancelled; then close the socket and the session. slack_sdk's client reconnects by
    itself, with a new `apps.connections.open`, whenever the socket closes or goes quiet."""
    session = _share_one_session(app.client)
    handler = AsyncSocketModeHandler(app, app_token, logger=log, web_client=app.client)
    try:
        # Asked here rather than by the client, which would retry a refused token forever.
        handler.client.wss_uri = await _socket_url(app.client, app_token)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("connected to Slack in Socket Mode")
        await asyncio.Event().wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await session.close()


def _share_one_session(client: AsyncWebClient) -> aiohttp.ClientSession:
    """One aiohttp session for every Web API call, as in HTTP mode: Bolt gives
    `app.client.session` to each request's client. It is made here, in the running loop,
    because a session belongs to its event loop."""
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
    client.session = session
    return session


async def _socket_url(client: AsyncWebClient, app_token: str) -> str:
    try:
        opened = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        raise ConfigurationError(
            f"Slack refused SLACK_APP_TOKEN: {error.response.get('error')} "
            "(an app-level token with connections:write, of an app with Socket Mode on)."
        ) from error
    return str(opened["url"])
