"""`licensebot run` as a real process: the Slack app, and its scheduler delivering notices, with
one server process or several (a worker wakes the first process's dispatcher)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.server import EVENTS_PATH
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace

SECRET = "run-signing-secret"


STARTUP_SECONDS = 180  # generous: a busy machine starts several server processes slowly


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"licensebot run did not answer /healthz within {STARTUP_SECONDS} s")


@pytest.fixture(params=[1, 2], ids=["one process", "two web workers"])
def running(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[FakeSlack, SlackRequester]]:
    workspace = Workspace()
    with FakeSlack(workspace) as fake:
        fake.trigger_ttl = None
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'licensebot.db'}",
            "SLACK_BOT_TOKEN": "xoxb-run",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "LICENSEBOT_HOST": "127.0.0.1",
            "LICENSEBOT_DELIVERY_SECONDS": "600",  # only the wake-up after a change delivers
            "LICENSEBOT_WEB_WORKERS": str(request.param),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process)
            yield fake, SlackRequester(base + EVENTS_PATH, SECRET, workspace, fake)
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_a_confirmed_purchase_is_logged_in_the_notice_channel_by_the_scheduler(
    running: tuple[FakeSlack, SlackRequester],
) -> None:
    fake, send = running
    assert send.slash_command("channel <#C0LICENSES|licenses>").json()["text"] == (
        "Notices will go to <#C0LICENSES>."
    )
    send.slash_command("buy 3 talk")
    entry = fake.latest_view()
    values = {
        "count": {"count_value": send.number_input("3")},
        "product": {"product_value": send.static_select("talk")},
        "office": {"office_value": send.static_select("Main")},
    }
    review = send.view_submission(entry, values=values).json()["view"]
    done = send.view_submission({**entry, **review, "id": entry["id"]}).json()
    assert "<@UOWNER> bought 3 Talk seats in Main" in str(done["view"])

    [log] = fake.wait_for("chat.postMessage", timeout=120)
    assert log.params["channel"] == "C0LICENSES"
    assert log.params["text"] == "<@UOWNER> bought 3 Talk seats in Main"
    assert log.params["metadata"]["event_payload"]["kind"] == "activity"
