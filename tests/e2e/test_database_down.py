"""The real app whose database refuses every connection: each surface gets, within Slack's
answer, a message saying licensebot can't reach its database and to try again in a minute."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import build_app
from bot.server import EVENTS_PATH
from bot.settings import Settings
from commands import ids
from commands.carried import SeatPreset
from commands.unreachable import UNREACHABLE
from commands.views.seats import seats_entry_modal
from commands.views.status import NO_PRESET
from licensing.catalog import Catalog
from licensing.db import make_engine, make_session_factory
from licensing.service import LicensingService
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace
from tests.conftest import FakeClock
from tests.e2e.conftest import SIGNING_SECRET, serving

ANSWER_PATIENCE_S = 60.0  # generous: how fast the answer comes is for the benchmarks


@dataclass
class Down:
    fake: FakeSlack
    send: SlackRequester


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def down(catalog: Catalog, clock: FakeClock) -> Iterator[Down]:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/licensebot")
    service = LicensingService(make_session_factory(engine), catalog, clock)
    workspace = Workspace()
    with FakeSlack(workspace) as fake:
        fake.trigger_ttl = None
        settings = Settings(
            slack_bot_token="xoxb-e2e",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
        )
        with serving(build_app(settings, service, catalog)) as base:
            url = base + EVENTS_PATH
            send = SlackRequester(url, SIGNING_SECRET, workspace, fake, timeout=ANSWER_PATIENCE_S)
            yield Down(fake, send)
    engine.dispose()


def test_a_slash_command_is_answered_with_try_again_in_a_minute(down: Down) -> None:
    answer = down.send.slash_command("status")

    assert answer.status == 200
    assert answer.json() == {"response_type": "ephemeral", "text": UNREACHABLE}
    assert "can't reach its database" in UNREACHABLE and "try again in a minute" in UNREACHABLE


def test_a_modal_submission_gets_the_message_pushed_over_the_modal(
    down: Down, catalog: Catalog
) -> None:
    entry: dict[str, Any] = seats_entry_modal("buy", catalog, ["Main"], SeatPreset()).to_dict()
    values = {
        "count": {"count_value": down.send.number_input("3")},
        "product": {"product_value": down.send.static_select("talk")},
        "office": {"office_value": down.send.static_select("Main")},
    }

    answer = down.send.view_submission({**entry, "id": "V0ENTRY"}, values=values)

    assert answer.status == 200
    pushed = answer.json()
    assert pushed["response_action"] == "push"
    assert UNREACHABLE in str(pushed["view"]["blocks"])
    assert "close" in pushed["view"] and "submit" not in pushed["view"]


def test_a_button_click_gets_an_ephemeral_message(down: Down) -> None:
    answer = down.send.block_action(ids.OPEN_BUY, value=NO_PRESET, channel="C0GENERAL")

    assert answer.status == 200
    [ephemeral] = down.fake.wait_for("chat.postEphemeral")
    assert ephemeral.params["channel"] == "C0GENERAL"
    assert (ephemeral.params["user"], ephemeral.params["text"]) == ("UOWNER", UNREACHABLE)
    assert down.fake.calls("views.open") == []


def test_the_home_tab_shows_the_message(down: Down) -> None:
    answer = down.send.event(
        {"type": "app_home_opened", "user": "UOWNER", "tab": "home", "channel": "D0UOWNER"}
    )

    assert answer.status == 200
    [publish] = down.fake.wait_for("views.publish")
    assert publish.params["user_id"] == "UOWNER"
    assert UNREACHABLE in str(publish.params["view"]["blocks"])
