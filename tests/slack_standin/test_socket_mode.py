"""The stand-in's Socket Mode, spoken to by slack_sdk's own clients: the URL from
apps.connections.open, hello, envelopes shaped as over HTTP, acks, and closing from Slack's side."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from slack_standin.server import FakeSlack
from slack_standin.socket_mode import SocketModeSlack
from slack_standin.socket_requester import SocketModeRequester

APP_TOKEN = "xapp-1-A0001-test"


@pytest.fixture
def socket(fake: FakeSlack) -> Iterator[SocketModeSlack]:
    with SocketModeSlack(fake) as running:
        yield running


class App:
    """slack_sdk's threaded client, answering each envelope with `answer` (None: no ack)."""

    def __init__(self, fake: FakeSlack, answer: dict[str, Any] | None = None) -> None:
        self.envelopes: list[SocketModeRequest] = []
        self.answer = answer
        self.client = SocketModeClient(
            app_token=APP_TOKEN,
            web_client=WebClient(base_url=fake.api_url),
            auto_reconnect_enabled=False,
        )
        self.client.socket_mode_request_listeners.append(self._on_envelope)

    def _on_envelope(self, client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        self.envelopes.append(request)
        if self.answer is not None:
            ack = SocketModeResponse(envelope_id=request.envelope_id, payload=self.answer or None)
            client.send_socket_mode_response(ack)


@pytest.fixture
def app(fake: FakeSlack, socket: SocketModeSlack) -> Iterator[App]:
    connected = App(fake, answer={})
    connected.client.connect()
    socket.wait_for_connection()
    yield connected
    connected.client.close()


def test_only_an_app_level_token_gets_a_socket_url(
    fake: FakeSlack, socket: SocketModeSlack
) -> None:
    web = WebClient(base_url=fake.api_url)
    assert web.apps_connections_open(app_token=APP_TOKEN)["url"].startswith("ws://127.0.0.1:")
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        web.apps_connections_open(app_token="xoxb-bot")
    assert [call.token for call in fake.calls("apps.connections.open")] == [APP_TOKEN, "xoxb-bot"]


def test_the_socket_says_hello_and_its_url_works_once(
    fake: FakeSlack, socket: SocketModeSlack
) -> None:
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]

    async def connect_twice() -> dict[str, Any]:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(url) as ws:
                hello: dict[str, Any] = await ws.receive_json(timeout=10)
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await session.ws_connect(url)
            return hello

    hello = asyncio.run(connect_twice())
    assert hello["type"] == "hello"
    assert hello["connection_info"] == {"app_id": "A0001"}


def test_envelopes_carry_the_payloads_slack_would_post(
    fake: FakeSlack, socket: SocketModeSlack, app: App
) -> None:
    send = SocketModeRequester(socket, fake.workspace, fake)
    send.slash_command("status", user="UDANA")
    send.view_submission({"id": "V1", "callback_id": "buy"})
    send.block_action("open_buy", value="3")
    send.event({"type": "app_home_opened", "user": "UDANA", "tab": "home"})

    slash, submission, action, event = app.envelopes
    assert (slash.type, slash.accepts_response_payload) == ("slash_commands", True)
    assert slash.payload["command"] == "/license" and slash.payload["user_id"] == "UDANA"
    assert (submission.type, submission.accepts_response_payload) == ("interactive", True)
    assert submission.payload["view"]["callback_id"] == "buy"
    assert (action.type, action.accepts_response_payload) == ("interactive", False)
    assert action.payload["actions"][0]["action_id"] == "open_buy"
    assert (event.type, event.accepts_response_payload) == ("events_api", False)
    assert event.payload["event"]["type"] == "app_home_opened"


def test_an_ack_brings_back_the_apps_answer(fake: FakeSlack, socket: SocketModeSlack) -> None:
    answering = App(fake, answer={"text": "hi", "response_type": "ephemeral"})
    answering.client.connect()
    socket.wait_for_connection()
    answer = SocketModeRequester(socket, fake.workspace, fake).slash_command("status")
    answering.client.close()
    assert answer.json() == {"text": "hi", "response_type": "ephemeral"}


def test_waiting_says_what_it_waited_for(fake: FakeSlack, socket: SocketModeSlack) -> None:
    with pytest.raises(TimeoutError, match=r"no socket open to send the slash_commands envelope"):
        socket.send("slash_commands", {"command": "/license", "text": "status"}, timeout=0.1)
    silent = App(fake, answer=None)
    silent.client.connect()
    socket.wait_for_connection()
    with pytest.raises(TimeoutError, match=r"no ack of the interactive envelope \(view_submission"):
        socket.send("interactive", {"type": "view_submission"}, timeout=0.5)
    silent.client.close()


def test_closing_from_slacks_side_with_a_reason_tells_the_app_first(
    fake: FakeSlack, socket: SocketModeSlack
) -> None:
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]

    async def told_to_move() -> Any:
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            await ws.receive_json(timeout=10)  # hello
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, socket.wait_for_connection)  # counted as open
            closing = loop.run_in_executor(None, socket.close_sockets, "refresh_requested")
            told = await ws.receive_json(timeout=10)
            await ws.close()  # as an app does once it has a new socket
            assert await closing == 1
            return told

    assert asyncio.run(told_to_move()) == {"type": "disconnect", "reason": "refresh_requested"}
    socket.wait_for_no_socket()
