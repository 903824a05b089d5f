"""`python -m benchmarks --smoke` runs every benchmark and writes every row as JSON. It asserts
what was measured, never how fast."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.sizes import SMOKE
from devtools.postgres import find_pg_bin

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if shutil.which("wrk") is None or find_pg_bin() is None:
        pytest.skip("the benchmarks need wrk and PostgreSQL (apt-get install wrk postgresql)")
    out = tmp_path_factory.mktemp("bench") / "results.json"
    command = [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    return dict(json.loads(out.read_text()))


def _rows(results: dict[str, Any], suite: str) -> list[dict[str, str]]:
    return [case["labels"] for case in results["cases"] if case["suite"] == suite]


def test_every_slack_request_is_measured_at_every_concurrency(smoke: dict[str, Any]) -> None:
    rows = {
        (r["server"], r["request"], r["connections"])
        for r in _rows(smoke, "Slack requests over HTTP")
    }
    requests = ("status", "buy", "next", "confirm", "restore click")
    for connections in ("1", "8", "32"):
        assert ("bare Bolt app", "status", connections) in rows
        for request in requests:
            assert ("licensebot, sqlite", request, connections) in rows


def test_every_operation_is_measured_on_both_databases(smoke: dict[str, Any]) -> None:
    rows = {(r["operation"], r["database"]) for r in _rows(smoke, "licensing operations")}
    operations = ("purchase", "assign", "revoke", "restore")
    assert rows == {(o, d) for o in operations for d in ("sqlite", "postgresql")}


def test_period_ends_grow_on_both_databases_and_run_in_two_processes(
    smoke: dict[str, Any],
) -> None:
    rows = {(r["database"], r["accounts"], r["processes"]) for r in _rows(smoke, "period ends")}
    for database in ("sqlite", "postgresql"):
        for accounts in SMOKE.period_end_accounts:
            assert (database, f"{accounts:,}", "1") in rows
    assert ("postgresql", f"{SMOKE.parallel_accounts:,}", "2") in rows


def test_the_scale_of_one_account_is_measured_for_each_operation(smoke: dict[str, Any]) -> None:
    rows = {(r["operation"], r["database"]) for r in _rows(smoke, "scale of one account")}
    assert rows == {
        (o, d) for o in ("assign", "purchase", "status") for d in ("sqlite", "postgresql")
    }


def test_notices_are_drained_on_each_database_at_each_latency(smoke: dict[str, Any]) -> None:
    rows = {(r["database"], r["latency ms"]) for r in _rows(smoke, "notices")}
    assert rows == {(database, str(ms)) for database, ms in SMOKE.notice_runs}


def test_every_case_has_figures_and_every_check_a_verdict(smoke: dict[str, Any]) -> None:
    for case in smoke["cases"]:
        assert case["metrics"], case["labels"]
        for sample in case["metrics"].values():
            assert sample["runs"] and sample["min"] <= sample["median"] <= sample["max"]
    assert smoke["checks"] and all(isinstance(c["met"], bool) for c in smoke["checks"])
    assert smoke["machine"]["cores"] and smoke["machine"]["postgresql"] != "not installed"


def test_every_answer_under_load_was_what_slack_would_expect(smoke: dict[str, Any]) -> None:
    [check] = [c for c in smoke["checks"] if c["target"].startswith("answers that were errors")]
    assert check["figure"] == 0


def test_status_is_loaded_during_a_period_end_on_each_database(smoke: dict[str, Any]) -> None:
    rows = {
        (r["database"], r["web processes"], r["accounts"])
        for r in _rows(smoke, "requests during a period end")
    }
    accounts = f"{SMOKE.busy_accounts:,}"
    assert rows == {(database, str(web), accounts) for database, web in SMOKE.busy_runs}


def test_a_period_end_is_closed_and_posted_end_to_end_by_two_schedulers(
    smoke: dict[str, Any],
) -> None:
    cases = {
        case["labels"]["accounts"]: case
        for case in smoke["cases"]
        if case["suite"] == "period end, end to end"
    }
    assert set(cases) == {f"{accounts:,}" for accounts in SMOKE.end_to_end_accounts}
    for accounts in SMOKE.end_to_end_accounts:
        case = cases[f"{accounts:,}"]
        assert case["labels"]["scheduler processes"] == "2"
        assert case["metrics"]["periods closed"]["median"] == accounts
        # one notice each, of its closed period, to its notice channel
        assert case["metrics"]["messages"]["median"] == accounts
