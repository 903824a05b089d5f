"""`/license status` from 8 connections while a period end runs. licensebot is served as
`licensebot run` serves it, its scheduler in the first process (with one web process, the same
one that answers Slack); the stand-in Slack answers every Web API call after 100 ms and limits
posts per channel. Status is loaded on the idle server first, then from the moment the period
ends of many accounts come due until they are closed and their notices posted."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.databases import Databases, connected
from benchmarks.due_accounts import closed_and_posted, notice_workspaces, seed
from benchmarks.proc import process_seconds
from benchmarks.results import Case, Check, Sample, SuiteResult, ratio
from benchmarks.sizes import Sizes
from benchmarks.slack_http import SIGNING_SECRET, Server, open_account, server_environment
from benchmarks.slack_requests import SlackRequests
from benchmarks.wrk import OpenEndedLoad, WrkRun, run_wrk, write_signed, wrk_missing
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace

SUITE = "requests during a period end"
CONNECTIONS = 8
STATUS_ANSWER = '"blocks"'
STATUS_BODIES = 100
LATENCY_MS = 100
POSTS_PER_SECOND, BURST = 1.0, 3.0  # the stand-in's limit per channel, as Slack's
P99_BOUND = 2.0  # p99 during the period end ÷ p99 on the idle server
# Slack accepts a signature within 5 minutes either side of its timestamp: signed this far
# ahead, the requests stay valid for the first 590 s of a period end under load.
SIGNED_AHEAD_SECONDS = 290
WAIT_SECONDS = 3_600


@dataclass(frozen=True)
class Busy:
    load: WrkRun
    closed_seconds: float  # from the period ends coming due until the last is closed
    drained_seconds: float  # until the last of their notices is posted
    messages: int
    cpu_busy: float  # share of the machine's CPU time in use meanwhile, all cores
    load_average: float  # over the last minute, at the end
    first_cores: float  # cores used by the server's first process (scheduler and dispatcher)
    worker_cores: float  # by its web worker processes, if any


@dataclass(frozen=True)
class Measured:
    idle: WrkRun
    busy: Busy


def _cpu_times() -> tuple[int, int]:
    """Jiffies of every core since boot: in all, and idle (waiting on I/O included)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]


def _workers_seconds(pid: int) -> float:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sum(process_seconds(int(child)) for child in children)


def period_end_under_load(
    engine: Engine, accounts: int, fake: FakeSlack, load: OpenEndedLoad, server_pid: int
) -> Busy:
    """Bring the period ends due now, with `load` running, and wait until every account is
    closed and every notice posted; then stop the load."""
    total, idle = _cpu_times()
    first, workers = process_seconds(server_pid), _workers_seconds(server_pid)
    posted = fake.count("chat.postMessage")
    closed_seconds, drained_seconds = closed_and_posted(engine, accounts, WAIT_SECONDS)
    first = process_seconds(server_pid) - first
    workers = _workers_seconds(server_pid) - workers
    run = load.stop()
    total_after, idle_after = _cpu_times()
    return Busy(
        load=run,
        closed_seconds=closed_seconds,
        drained_seconds=drained_seconds,
        messages=fake.count("chat.postMessage") - posted,
        cpu_busy=1 - (idle_after - idle) / max(1, total_after - total),
        load_average=os.getloadavg()[0],
        first_cores=first / drained_seconds,
        worker_cores=workers / drained_seconds,
    )


def measure(databases: Databases, sizes: Sizes, kind: str, web_workers: int) -> Measured:
    accounts = sizes.busy_accounts
    url = databases.fresh(kind)
    try:
        with connected(url) as engine:
            seed(engine, accounts)
        open_account(url)
        host = Workspace()
        with FakeSlack(host, others=notice_workspaces(accounts, host.team_id)) as fake:
            fake.trigger_ttl = None
            fake.latency = LATENCY_MS / 1000
            fake.limit_posts(POSTS_PER_SECOND, BURST)
            env = server_environment(fake, url, web_workers)
            env["LICENSEBOT_SWEEP_SECONDS"] = "1"  # the period end starts within a second
            server = Server("licensebot", env, databases.work)
            try:
                events = server.ready()
                live = SlackRequester(events, SIGNING_SECRET, fake.workspace, fake)
                bodies = SlackRequests(fake.workspace, fake, live).bodies("status", STATUS_BODIES)
                path = databases.work / "status-requests.txt"
                write_signed(path, bodies, SIGNING_SECRET, int(time.time()))
                if sizes.http_warm_up:
                    run_wrk(events, path, STATUS_ANSWER, CONNECTIONS, 1)  # not kept
                idle = run_wrk(events, path, STATUS_ANSWER, CONNECTIONS, sizes.http_seconds)
                with connected(url) as engine:
                    ahead = int(time.time()) + SIGNED_AHEAD_SECONDS
                    write_signed(path, bodies, SIGNING_SECRET, ahead)
                    load = OpenEndedLoad(events, path, STATUS_ANSWER, CONNECTIONS)
                    busy = period_end_under_load(engine, accounts, fake, load, server.process.pid)
            finally:
                server.stop()
        return Measured(idle, busy)
    finally:
        databases.drop(url)


def _case(kind: str, web_workers: int, accounts: int, runs: list[Measured]) -> Case:
    idle = [r.idle for r in runs]
    busy = [r.busy for r in runs]
    metrics = {
        "idle req/s": Sample.of(r.per_second for r in idle),
        "idle p50 ms": Sample.of(r.p50_ms for r in idle),
        "idle p99 ms": Sample.of(r.p99_ms for r in idle),
        "busy req/s": Sample.of(b.load.per_second for b in busy),
        "busy p50 ms": Sample.of(b.load.p50_ms for b in busy),
        "busy p99 ms": Sample.of(b.load.p99_ms for b in busy),
        "busy max ms": Sample.of(b.load.max_ms for b in busy),
        "unexpected": Sample.of(
            r.idle.errors + r.idle.unexpected + r.busy.load.errors + r.busy.load.unexpected
            for r in runs
        ),
        "period end s": Sample.of(b.closed_seconds for b in busy),
        "drained s": Sample.of(b.drained_seconds for b in busy),
        "messages/s": Sample.of(b.messages / b.drained_seconds for b in busy),
        "CPU busy %": Sample.of(100 * b.cpu_busy for b in busy),
        "load 1 min": Sample.of(b.load_average for b in busy),
        "first process cores": Sample.of(b.first_cores for b in busy),
        "web workers cores": Sample.of(b.worker_cores for b in busy),
    }
    ratios = {
        "busy p99 ÷ idle p99": ratio(metrics["busy p99 ms"].median, metrics["idle p99 ms"].median)
    }
    labels = {"database": kind, "web processes": str(web_workers), "accounts": f"{accounts:,}"}
    return Case(SUITE, labels, metrics, ratios)


def _checks(case: Case) -> list[Check]:
    labels = case.labels
    where = f"{labels['database']}, {labels['web processes']} web, {labels['accounts']} accounts"
    return [
        Check(
            f"status p99 at c{CONNECTIONS} during a period end ({where}) ≤ {P99_BOUND:g}× idle",
            case.ratios["busy p99 ÷ idle p99"],
            P99_BOUND,
            False,
        ),
        Check(
            f"status answers during a period end that were errors ({where})",
            case.metrics["unexpected"].median,
            0,
            False,
        ),
    ]


def run(databases: Databases, sizes: Sizes) -> SuiteResult:
    missing = wrk_missing()
    if missing:
        return SuiteResult(skipped=[missing])
    result = SuiteResult()
    for kind, web_workers in sizes.busy_runs:
        if kind not in databases.kinds:
            result.skipped.append(f"requests during a period end on {kind}: not installed")
            continue
        runs = [measure(databases, sizes, kind, web_workers) for _ in range(sizes.busy_repeats)]
        case = _case(kind, web_workers, sizes.busy_accounts, runs)
        result.cases.append(case)
        result.checks += _checks(case)
    return result
