"""`licensebot run` in Socket Mode as a real process: it connects with SLACK_APP_TOKEN, answers
over the socket with its scheduler delivering notices, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from slack_standin.server import FakeSlack
from slack_standin.socket_mode import SocketModeSlack
from slack_standin.socket_requester import SocketModeRequester
from slack_standin.workspace import Workspace


@dataclass
class Running:
    process: subprocess.Popen[str]
    fake: FakeSlack
    socket: SocketModeSlack
    send: SocketModeRequester

    def stop(self) -> tuple[int, str, str]:
        """SIGTERM, as a process manager stops it; its exit code and output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


def _wait_until_connected(socket: SocketModeSlack, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"licensebot run exited with {process.returncode}: {process.communicate()}")
        try:
            socket.wait_for_connection(timeout=0.5)
            return
        except TimeoutError:
            continue
    pytest.fail("licensebot run did not open the Socket Mode connection within 60 s")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    workspace = Workspace()
    with FakeSlack(workspace) as fake, SocketModeSlack(fake) as socket:
        fake.trigger_ttl = None
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'licensebot.db'}",
            "SLACK_BOT_TOKEN": "xoxb-run",
            "SLACK_APP_TOKEN": "xapp-1-A0001-run",
            "SLACK_API_URL": fake.api_url,
            "SLACK_SIGNING_SECRET": "set-for-http-mode",  # does not apply: reported at start
            "LICENSEBOT_WEB_WORKERS": "2",  # nor this
            "LICENSEBOT_DELIVERY_SECONDS": "600",  # only the wake-up after a change delivers
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--port", "3999"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        running = Running(process, fake, socket, SocketModeRequester(socket, workspace, fake))
        try:
            _wait_until_connected(socket, process)
            yield running
        finally:
            running.stop()


def test_a_confirmed_purchase_is_logged_in_the_notice_channel_by_the_scheduler(
    running: Running,
) -> None:
    send, fake = running.send, running.fake
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

    [log] = fake.wait_for("chat.postMessage", timeout=30)
    assert log.params["channel"] == "C0LICENSES"
    assert log.params["text"] == "<@UOWNER> bought 3 Talk seats in Main"


def test_sigterm_closes_the_socket_and_exits_with_0(running: Running) -> None:
    assert "Subscription *trialing*" in running.send.slash_command("status").body

    code, out, err = running.stop()
    assert code == 0, err
    running.socket.wait_for_no_socket()
    assert "ignoring --port or LICENSEBOT_PORT (no HTTP server listens)" in out
    assert "ignoring LICENSEBOT_WEB_WORKERS (one process holds the socket)" in out
    assert "ignoring SLACK_SIGNING_SECRET (Slack does not sign socket messages)" in out
    assert "connected to Slack in Socket Mode" in err
    assert "will be unused" not in err  # SLACK_BOT_TOKEN is the client's token
