"""`licensebot` as a user runs it: a real process, a real database file."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.bootstrap import build
from bot.settings import Settings
from licensing.calendar import Interval
from licensing.clock import StoredTestClock
from licensing.requests import Assign, Purchase, SetBillingDetails, Subscribe
from licensing.schemas import AccountKey, Actor, PoolTarget


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'licensebot.db'}"}


def test_catalog_lists_products_prices_and_proration(env: dict[str, str]) -> None:
    text = run_cli("catalog", env=env)
    assert text.returncode == 0
    assert "Currency: USD    Proration: seconds" in text.stdout
    assert "recording     Call Recording      add_on          5.00     50.00  talk" in text.stdout
    data = json.loads(run_cli("catalog", "--format", "json", env=env).stdout)
    assert [p["id"] for p in data["products"]] == ["talk", "meetings", "recording"]
    assert data["products"][0]["monthly_price"] == "15.00"


def test_a_bad_catalog_stops_with_a_message_naming_the_field(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "catalog.toml"
    bad.write_text(
        'currency = "USD"\n[[products]]\nid = "talk"\nname = "Talk"\nkind = "license"\n'
        'monthly_price = "-1"\nannual_price = "10"\n'
    )
    result = run_cli("catalog", env={**env, "LICENSEBOT_CATALOG": str(bad)})
    assert result.returncode == 2
    assert (
        "products[0].monthly_price" in result.stderr
        and "greater than or equal to 0" in result.stderr
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database of each kind with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    server_url = request.getfixturevalue("postgres_url")
    name = f"new_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_migrate_brings_a_new_database_up_to_date(new_database: str) -> None:
    result = run_cli("migrate", env={"DATABASE_URL": new_database})
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout


def test_migrate_with_the_test_clock_on_brings_a_new_database_up_to_date(
    new_database: str,
) -> None:
    env = {"DATABASE_URL": new_database, "LICENSEBOT_TEST_CLOCK": "1"}
    result = run_cli("migrate", env=env)
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    shown = run_cli("clock", "show", env=env)
    assert shown.returncode == 0, shown.stderr
    assert datetime.fromisoformat(shown.stdout.strip()).tzinfo is not None


def _account_with_history(env: dict[str, str]) -> None:
    service = build(Settings(database_url=env["DATABASE_URL"])).service
    key, owner = AccountKey(team_id="T1"), Actor(user_id="U1")
    service.install(key, owner.user_id)
    service.handle(key, owner, Purchase(count=3, product="talk"), idempotency_key="trial")
    service.handle(key, owner, Assign(user_id="U2", product="talk"))
    service.handle(key, owner, SetBillingDetails(details="Visa ending 4242"))
    service.handle(
        key,
        owner,
        Subscribe(
            interval=Interval.MONTH, pools=(PoolTarget(product="talk", seats=3),), start_now=True
        ),
        idempotency_key="subscribe",
    )


def test_export_prints_every_account_with_amounts_as_decimal_strings(env: dict[str, str]) -> None:
    _account_with_history(env)
    result = run_cli("export", "--team", "T1", env=env)
    assert result.returncode == 0, result.stderr
    [account] = json.loads(result.stdout)
    assert account["subscription"]["status"] == "active"
    assert account["offices"] == [
        {
            "name": "Main",
            "pools": [
                {
                    "product": "talk",
                    "purchased": 3,
                    "scheduled_for_removal": 0,
                    "assigned_user_ids": ["U2"],
                }
            ],
        }
    ]
    [invoice] = account["invoices"]
    assert (invoice["kind"], invoice["total"], invoice["currency"]) == (
        "subscription",
        "45.00",
        "USD",
    )
    assert invoice["lines"][0]["amount"] == "45.00"
    assert [e["event"] for e in account["ledger"]][-2:] == ["subscription_started", "subscribed"]
    assert run_cli("export", "--team", "TOTHER", env=env).returncode == 1


def test_export_as_csv_has_one_row_per_pool_invoice_line_and_ledger_row(
    env: dict[str, str],
) -> None:
    _account_with_history(env)
    result = run_cli("export", "--format", "csv", env=env)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["record"] for r in rows].count("pool") == 1
    [line] = [r for r in rows if r["record"] == "invoice_line"]
    assert (line["product"], line["seats"], line["amount"]) == ("talk", "3", "45.00")
    assert sum(r["record"] == "ledger" for r in rows) == 6


def test_export_refuses_a_database_that_does_not_exist_and_creates_none(
    tmp_path: Path, env: dict[str, str]
) -> None:
    missing = tmp_path / "nowhere.db"
    result = run_cli("export", env={**env, "DATABASE_URL": f"sqlite:///{missing}"})
    assert result.returncode == 2
    assert f"there is no database at {missing}" in result.stderr
    assert not missing.exists()


def test_export_refuses_a_team_without_an_account(env: dict[str, str]) -> None:
    _account_with_history(env)
    result = run_cli("export", "--team", "TNOPE", env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert "no account for team TNOPE" in result.stderr


def test_export_writes_times_the_same_way_as_json_and_csv(env: dict[str, str]) -> None:
    _account_with_history(env)
    [account] = json.loads(run_cli("export", env=env).stdout)
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--format", "csv", env=env).stdout)))
    [line] = [r for r in rows if r["record"] == "invoice_line"]
    assert line["at"] == account["invoices"][0]["created_at"]


def test_the_test_clock_is_refused_unless_enabled(env: dict[str, str]) -> None:
    result = run_cli("clock", "show", env=env)
    assert result.returncode == 2
    assert "Set LICENSEBOT_TEST_CLOCK=1" in result.stderr


def test_the_test_clock_is_shared_through_the_database_and_moves_forward_only(
    env: dict[str, str],
) -> None:
    on = {**env, "LICENSEBOT_TEST_CLOCK": "1"}
    moved = run_cli("clock", "set", "2030-12-01T09:00:00+00:00", env=on).stdout.splitlines()
    assert moved[0] == "2030-12-01T09:00:00+00:00"
    assert moved[1].startswith("0 periods closed")
    advanced = run_cli("clock", "advance", "1w2d", env=on).stdout.splitlines()
    assert advanced[0] == "2030-12-10T09:00:00+00:00"
    assert run_cli("clock", "show", env=on).stdout.strip() == "2030-12-10T09:00:00+00:00"
    back = run_cli("clock", "set", "2030-12-01T00:00:00+00:00", env=on)
    assert back.returncode == 2 and "only moves forward" in back.stderr
    bad = run_cli("clock", "advance", "soon", env=on)
    assert bad.returncode == 2 and "is not a duration" in bad.stderr


def _subscribed_on_the_test_clock(env: dict[str, str]) -> StoredTestClock:
    """T1, subscribed monthly on the test clock at 2031-01-31 09:00 UTC; the clock."""
    run_cli("clock", "set", "2031-01-31T09:00:00+00:00", env=env)  # the clock only moves forward
    components = build(Settings(database_url=env["DATABASE_URL"], test_clock=True))
    service = components.service
    key, owner = AccountKey(team_id="T1"), Actor(user_id="U1")
    service.install(key, owner.user_id)
    service.handle(key, owner, Purchase(count=2, product="talk"), idempotency_key="trial")
    service.handle(key, owner, SetBillingDetails(details="Visa ending 4242"))
    service.handle(
        key, owner, Subscribe(interval=Interval.MONTH, start_now=True), idempotency_key="subscribe"
    )
    assert isinstance(components.clock, StoredTestClock)
    return components.clock


def test_advancing_the_test_clock_runs_the_period_end_sweep_at_once(env: dict[str, str]) -> None:
    on = {**env, "LICENSEBOT_TEST_CLOCK": "1"}
    _subscribed_on_the_test_clock(on)

    result = run_cli("clock", "advance", "60d", env=on)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "T1: period ending 2031-02-28T09:00:00+00:00 renewed, charged 30.00 USD",
        "T1: period ending 2031-03-31T09:00:00+00:00 renewed, charged 30.00 USD",
        # no Slack credentials here: the notices wait in the outbox for the app
        "2 periods closed, reminders for 0 accounts, notices: 0 sent, 0 to retry, 0 failed",
    ]


def test_a_sweep_that_cannot_reach_the_database_says_so_in_one_line() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed}/licensebot"

    result = run_cli("sweep", env={"DATABASE_URL": url})

    assert result.returncode == 1
    assert result.stderr.startswith("licensebot: can't reach the database: connection failed")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("level", "logged"), [(None, True), ("warning", False)], ids=["by default", "at warning"]
)
def test_the_scheduler_logs_each_period_it_closes_unless_told_to_log_less(
    env: dict[str, str], tmp_path: Path, level: str | None, logged: bool
) -> None:
    on = {**env, "LICENSEBOT_TEST_CLOCK": "1", "LICENSEBOT_SWEEP_SECONDS": "0.2"}
    if level is not None:
        on["LICENSEBOT_LOG_LEVEL"] = level
    _subscribed_on_the_test_clock(on).advance(timedelta(days=30))
    engine = create_engine(env["DATABASE_URL"])
    stderr = tmp_path / "scheduler.err"

    with stderr.open("w") as errors:
        command = [sys.executable, "-m", "bot.cli", "scheduler"]
        scheduler = subprocess.Popen(command, env={**os.environ, **on}, stderr=errors, text=True)
        try:
            deadline = time.monotonic() + 60
            while not (closed := _closed_periods(engine)) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=30)
            engine.dispose()

    log = stderr.read_text()
    assert closed == 1, log
    assert ("INFO scheduler.sweeps: closed T1 period ending 2031-02-28" in log) is logged, log


def _closed_periods(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM period_closings")) or 0)
