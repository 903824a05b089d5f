"""The servers the HTTP benchmark loads, each in a process of its own: licensebot started as
`licensebot run` starts it, or a bare Bolt app on the same stack (uvicorn, AsyncApp answering
in the response) whose `/license` only acks. Configured from the environment, as licensebot is.

    python -m benchmarks.slack_server licensebot|bare PORT
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.app import web_client
from bot.cli import main as licensebot
from bot.server import SlackServer, serve, signing_secret
from bot.settings import Settings


def bare_app(settings: Settings) -> AsyncApp:
    app = AsyncApp(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
    )

    @app.command("/license")
    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    return app


def bare_worker_app() -> SlackServer:
    """The bare app of one worker process, when `LICENSEBOT_WEB_WORKERS` asks for several."""
    settings = Settings()
    return SlackServer(bare_app(settings), signing_secret(settings))


def main(argv: Sequence[str]) -> int:
    app, port = argv
    if app == "licensebot":
        return licensebot(["run", "--port", port])
    settings = Settings(port=int(port))
    serve(bare_app(settings), settings, lambda: None, f"{__name__}:bare_worker_app")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
