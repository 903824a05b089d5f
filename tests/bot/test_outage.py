"""`licensebot run` while its PostgreSQL server is down for half a minute, in the middle of a
period-end sweep of 1,000 accounts: requests are answered "try again in a minute" and change
nothing, the scheduler keeps trying, and once the server is back the same process serves again
and closes each period once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.server import EVENTS_PATH
from commands.unreachable import UNREACHABLE
from devtools.postgres import PostgresServer, find_pg_bin, postgres_server
from licensing import orm
from licensing.catalog import load_catalog
from licensing.clock import SystemClock
from licensing.db import make_engine, make_session_factory
from licensing.migrate import upgrade
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace
from tests.licensing.helpers import subscribe
from tests.scheduler.due import assert_each_period_closed_once, closings, seed, wait_for_closings

pytestmark = pytest.mark.postgres

SECRET = "outage-signing-secret"
ACCOUNTS = 1000
OUTAGE_S = 30
ANSWER_PATIENCE_S = 60.0  # generous: how fast the answer comes is for the benchmarks
BOUGHT = "bought 3 Talk seats in Main"


@pytest.fixture
def server() -> Iterator[PostgresServer]:
    """A server of the test's own, since the test stops it."""
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL is not installed here; .ci/run installs it")
    with postgres_server() as server:
        yield server


@pytest.fixture
def engine(server: PostgresServer) -> Iterator[Engine]:
    engine = make_engine(server.url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, "licensebot run stopped while starting"
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail("licensebot run did not answer /healthz within 180 s")


def _values(send: SlackRequester) -> dict[str, Any]:
    return {
        "count": {"count_value": send.number_input("3")},
        "product": {"product_value": send.static_select("talk")},
        "office": {"office_value": send.static_select("Main")},
    }


def _said_unreachable(answer: Any) -> bool:
    return UNREACHABLE in str(answer)


def test_while_the_database_is_down_every_request_is_answered_and_the_sweep_resumes_after(
    server: PostgresServer, engine: Engine, tmp_path: Path
) -> None:
    period_end = seed(engine, ACCOUNTS, SystemClock().now())
    workspace = Workspace()
    key = AccountKey(team_id=workspace.team_id)
    service = LicensingService(make_session_factory(engine), load_catalog(), SystemClock())
    service.install(key, "UOWNER")
    subscribe(service, key, seats=2)
    stderr = tmp_path / "licensebot.err"

    with FakeSlack(workspace) as fake, stderr.open("w") as errors:
        fake.trigger_ttl = None
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": server.url,
            "SLACK_BOT_TOKEN": "xoxb-outage",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "LICENSEBOT_HOST": "127.0.0.1",
            "LICENSEBOT_SWEEP_SECONDS": "1",
            "LICENSEBOT_DELIVERY_SECONDS": "600",  # only the wake-up after a change delivers
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process)
            send = SlackRequester(
                base + EVENTS_PATH, SECRET, workspace, fake, timeout=ANSWER_PATIENCE_S
            )
            assert "Talk" in str(send.slash_command("status").json())
            send.slash_command("buy 3 talk")
            entry = fake.latest_view()
            review = send.view_submission(entry, values=_values(send)).json()["view"]
            review = {**entry, **review, "id": entry["id"]}

            before = wait_for_closings(engine, 50, process)  # the sweep is under way
            server.stop()
            assert before < ACCOUNTS, "the outage was to begin in the middle of the sweep"
            outage_ends = time.monotonic() + OUTAGE_S
            while True:
                for answer in (
                    send.slash_command("status"),
                    send.slash_command("buy 3 talk"),
                    send.view_submission(review),
                ):
                    assert answer.status == 200 and _said_unreachable(answer.json())
                if time.monotonic() > outage_ends:
                    break
                time.sleep(5)
            server.start()

            wait_for_closings(engine, ACCOUNTS, process)
            assert "Talk" in str(send.slash_command("status").json())
            done = send.view_submission(review).json()
            assert BOUGHT in str(done["view"]) and not _said_unreachable(done)
            assert BOUGHT in str(send.view_submission(review).json()["view"])  # replayed
            assert process.poll() is None, "licensebot run stopped"
        finally:
            process.kill()
            process.wait(timeout=30)

    assert_each_period_closed_once(engine, ACCOUNTS, period_end)
    assert closings(engine) == ACCOUNTS
    with Session(engine) as session:
        account = session.scalars(select(orm.Account).where(orm.Account.team_id == key.team_id))
        account_id = account.one().id
        purchases = select(func.count()).where(
            orm.Invoice.account_id == account_id, orm.Invoice.kind == "purchase"
        )
        assert session.scalar(purchases) == 1
        pools = select(orm.Pool.purchased).where(orm.Pool.account_id == account_id)
        assert session.scalars(pools).all() == [5]
    log = stderr.read_text()
    assert log.count("sweep: can't reach the database") == 1, log
    assert log.count("sweep: the database is back") == 1, log
    assert "raised an exception" not in log and "Traceback" not in log, log
