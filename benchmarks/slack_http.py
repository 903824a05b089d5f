"""Slack requests over HTTP: licensebot as `licensebot run` serves it, the fake Web API on
loopback, signed requests from wrk; against a bare Bolt app on the same server stack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from benchmarks.databases import Databases
from benchmarks.operations import OWNER, make_service
from benchmarks.results import Case, Check, Sample, SuiteResult, ratio
from benchmarks.sizes import Sizes
from benchmarks.slack_requests import SlackRequests
from benchmarks.wrk import WrkRun, run_wrk, write_signed, wrk_missing
from bot.server import EVENTS_PATH
from licensing.calendar import Interval
from licensing.db import make_engine
from licensing.requests import SetBillingDetails, SetNoticeChannel, Subscribe
from licensing.schemas import AccountKey, PoolTarget
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace

SUITE = "Slack requests over HTTP"
SIGNING_SECRET = "bench-signing-secret"
REPO = Path(__file__).resolve().parent.parent
BARE = "bare Bolt app"
# Each kind of request and the text every answer to it contains ("" for an empty ack).
REQUESTS = {
    "status": '"blocks"',
    "buy": "",
    "next": '"response_action": "update"',
    "confirm": "Done",
    "restore click": "",
}
CONFIRMS_PER_SECOND = 2_000  # distinct Confirms prepared for each second of load
REUSED_BODIES = 100  # other requests are cycled through
STARTUP_SECONDS = 180  # generous: a busy machine starts several server processes slowly
TARGET_CONCURRENCY = 32
SLOWEST_MS = 1_500  # half of Slack's 3 s


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(fake: FakeSlack, database_url: str | None, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LICENSEBOT_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        LICENSEBOT_HOST="127.0.0.1",
        LICENSEBOT_WEB_WORKERS=str(workers),
        PYTHONPATH=str(REPO),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class Server:
    """A process of `benchmarks.slack_server`, started at once; `ready()` waits for it."""

    def __init__(self, app: str, env: dict[str, str], work: Path) -> None:
        self.port = _free_port()
        self.log = work / f"server-{self.port}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.slack_server", app, str(self.port)],
                env=env,
                cwd=work,  # no .env of a developer's is read
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def ready(self) -> str:
        """The events URL, once the server answers its health check."""
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start:\n{self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    return base + EVENTS_PATH
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def open_account(database_url: str) -> None:
    """The workspace's account, subscribed, with a notice channel for the log of each change."""
    engine = make_engine(database_url)
    service = make_service(engine)
    key = AccountKey(team_id=Workspace().team_id)
    service.install(key, OWNER.user_id)
    service.handle(key, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=5),)
    service.handle(
        key,
        OWNER,
        Subscribe(interval=Interval.MONTH, pools=pools, start_now=True),
        idempotency_key="bench-subscribe",
    )
    service.handle(key, OWNER, SetNoticeChannel(channel_id="C0LICENSES"))
    engine.dispose()


@dataclass
class Target:
    """One server under load, and the requests it is sent."""

    name: str
    url: str
    requests: dict[str, str]  # kind → expected text


class HttpBench:
    def __init__(self, fake: FakeSlack, work: Path, sizes: Sizes) -> None:
        self.fake = fake
        self.work = work
        self.sizes = sizes
        self.runs: defaultdict[tuple[str, str, int], list[WrkRun]] = defaultdict(list)

    def load(self, target: Target, kind: str, connections: int, seconds: int) -> WrkRun:
        live = SlackRequester(target.url, SIGNING_SECRET, self.fake.workspace, self.fake)
        requests = SlackRequests(self.fake.workspace, self.fake, live)
        count = seconds * CONFIRMS_PER_SECOND if kind == "confirm" else REUSED_BODIES
        bodies = requests.bodies(kind, count)
        path = write_signed(self.work / "requests.txt", bodies, SIGNING_SECRET, int(time.time()))
        return run_wrk(target.url, path, target.requests[kind], connections, seconds)

    def measure(self, targets: list[Target]) -> None:
        """Every target, request and concurrency once per repeat, interleaved, so a slow
        moment of the machine is spread over all of them."""
        if self.sizes.http_warm_up:
            for target in targets:
                self.load(target, next(iter(target.requests)), 8, 1)  # not kept
        for _ in range(self.sizes.repeats):
            for connections in self.sizes.http_concurrency:
                for target in targets:
                    for kind in target.requests:
                        run = self.load(target, kind, connections, self.sizes.http_seconds)
                        self.runs[(target.name, kind, connections)].append(run)


def _case(name: str, kind: str, connections: int, runs: list[WrkRun], bare: float) -> Case:
    per_second = Sample.of(r.per_second for r in runs)
    metrics = {
        "req/s": per_second,
        "p50 ms": Sample.of(r.p50_ms for r in runs),
        "p95 ms": Sample.of(r.p95_ms for r in runs),
        "p99 ms": Sample.of(r.p99_ms for r in runs),
        "max ms": Sample.of(r.max_ms for r in runs),
        "unexpected": Sample.of(r.unexpected + r.errors for r in runs),
        "wrk CPU %": Sample.of(100 * r.cpu_seconds / r.seconds for r in runs),
    }
    ratios = {} if name == BARE else {"req/s ÷ bare": ratio(per_second.median, bare)}
    labels = {"server": name, "request": kind, "connections": str(connections)}
    idle = sum(1 for r in runs if r.requests == 0)
    notes = f"{kind}, {name}, c{connections}: {idle} run(s) finished no request" if idle else ""
    return Case(SUITE, labels, metrics, ratios, notes)


def _checks(case: Case) -> list[Check]:
    where = f"{case.labels['request']}, {case.labels['server']}"
    return [
        Check(f"{where}, c32: req/s ≥ 0.5× bare", case.ratios["req/s ÷ bare"], 0.5, True),
        Check(f"{where}, c32: p99 ≤ 50 ms", case.metrics["p99 ms"].median, 50, False),
    ]


def summarize(runs: dict[tuple[str, str, int], list[WrkRun]]) -> SuiteResult:
    bare = {
        c: Sample.of(r.per_second for r in rs).median for (n, _, c), rs in runs.items() if n == BARE
    }
    result = SuiteResult()
    for (name, kind, connections), kept in runs.items():
        case = _case(name, kind, connections, kept, bare[connections])
        result.cases.append(case)
        if name != BARE and connections == TARGET_CONCURRENCY:
            result.checks += _checks(case)
    every = [r for kept in runs.values() for r in kept]
    slowest = max(r.max_ms for r in every)
    result.checks.append(Check("slowest request of all runs (ms)", slowest, SLOWEST_MS, False))
    wrong = sum(r.unexpected + r.errors for r in every)
    result.checks.append(Check("answers that were errors or not as expected", wrong, 0, False))
    return result


def run(databases: Databases, sizes: Sizes) -> SuiteResult:
    missing = wrk_missing()
    if missing:
        print(f"benchmarks: {missing}; the HTTP figures are skipped")
        return SuiteResult(skipped=[missing])
    kinds = [kind for kind in sizes.http_databases if kind in databases.kinds]
    urls = {kind: databases.fresh(kind) for kind in kinds}
    for url in urls.values():
        open_account(url)
    with FakeSlack(Workspace()) as fake, ExitStack() as running:
        fake.trigger_ttl = None
        workers = sizes.web_workers
        servers = {BARE: Server("bare", server_environment(fake, None, workers), databases.work)}
        for kind, url in urls.items():
            servers[f"licensebot, {kind}"] = Server(
                "licensebot", server_environment(fake, url, workers), databases.work
            )
        for server in servers.values():
            running.callback(server.stop)
        targets = [
            Target(name, server.ready(), {"status": ""} if name == BARE else REQUESTS)
            for name, server in servers.items()
        ]
        bench = HttpBench(fake, databases.work, sizes)
        bench.measure(targets)
    for url in urls.values():
        databases.drop(url)
    return summarize(bench.runs)
