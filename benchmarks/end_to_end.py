"""Period end, end to end: what a large deployment's period end costs, from the moment many
accounts come due until every period is closed and every notice it wrote is posted. licensebot
runs as such a deployment runs its jobs: two `licensebot scheduler` processes on one
PostgreSQL (and no web server), each sweeping every second so that the period end starts
within one, delivering notices every 5 s as by default; the stand-in Slack answers every Web
API call after 100 ms and limits posts per channel as Slack does. Both processes are up before
the period ends come due, so their start-up is not timed."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, distinct, func, select

from benchmarks.busy_requests import BURST, LATENCY_MS, POSTS_PER_SECOND
from benchmarks.databases import POSTGRESQL, Databases, connected
from benchmarks.due_accounts import closed_and_posted, notice_workspaces, seed
from benchmarks.notices import posted_once
from benchmarks.proc import peak_rss_mb, process_seconds
from benchmarks.results import Case, Check, Sample, SuiteResult, ratio
from benchmarks.sizes import Sizes
from benchmarks.slack_http import STARTUP_SECONDS, server_environment
from licensing import orm
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace

SUITE = "period end, end to end"
PROCESSES = 2
UP_LINE = "licensebot: sweeping every"  # what `licensebot scheduler` prints once it is built
# After both are up, each has run its sweep (every second) and its notice delivery (every
# 5 s) once on the quiet database, so that no first run is timed.
SETTLE_SECONDS = 6
WAIT_SECONDS, WAIT_SECONDS_PER_ACCOUNT = 600, 0.05  # generous: 6× the target at 100,000
DEADLINE_SECONDS = 900  # the target for the largest deployment: 15 minutes
FLAT_BOUND = 1.2


@dataclass(frozen=True)
class EndToEnd:
    closed: int  # periods
    closed_seconds: float  # from the period ends coming due until the last is closed
    drained_seconds: float  # until the last of their notices is posted
    messages: int  # posted to the stand-in
    limited: int  # 429s the stand-in answered
    cpu_seconds: float  # of the scheduler processes, together
    peak_rss_mb: float  # of the larger scheduler process


class Scheduler:
    """A `licensebot scheduler` process (`bot.cli`'s `main`, which the console script runs),
    started in the work folder so that no .env of a developer's is read, its output in a log
    of its own."""

    def __init__(self, env: dict[str, str], work: Path, number: int) -> None:
        self.log = work / f"scheduler-{number}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "scheduler"],
                env=env,
                cwd=work,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def running(self) -> None:
        """Raise, with the end of its log, if it has stopped."""
        code = self.process.poll()
        if code is not None:
            tail = self.log.read_text()[-2000:]
            raise RuntimeError(f"a scheduler process stopped with exit code {code}:\n{tail}")

    def up(self) -> bool:
        self.running()
        return UP_LINE in self.log.read_text()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def wait_until_up(schedulers: list[Scheduler]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not all(scheduler.up() for scheduler in schedulers):
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the scheduler processes did not say “{UP_LINE}” within {STARTUP_SECONDS} s"
            )
        time.sleep(0.1)
    time.sleep(SETTLE_SECONDS)


def closed_once(engine: Engine, accounts: int) -> int:
    """Every account's period closed, none twice: how many closed."""
    with engine.connect() as conn:
        closings, closed = conn.execute(
            select(func.count(), func.count(distinct(orm.PeriodClosing.account_id)))
        ).one()
    if (closings, closed) != (accounts, accounts):
        raise RuntimeError(f"{accounts:,} accounts due: {closings:,} closings of {closed:,}")
    return int(closed)


def written_deliveries(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(orm.NoticeDelivery)) or 0)


def period_end(
    engine: Engine, accounts: int, fake: FakeSlack, schedulers: list[Scheduler]
) -> EndToEnd:
    """With the schedulers up, bring the period ends due and wait until they are over; then
    check that each period closed once and each notice it wrote was posted once."""
    pids = [scheduler.process.pid for scheduler in schedulers]
    cpu = sum(process_seconds(pid) for pid in pids)
    limited = fake.rate_limited

    def watch() -> None:
        for scheduler in schedulers:
            scheduler.running()

    wait = WAIT_SECONDS + accounts * WAIT_SECONDS_PER_ACCOUNT
    closed_seconds, drained_seconds = closed_and_posted(engine, accounts, wait, watch)
    cpu = sum(process_seconds(pid) for pid in pids) - cpu
    peak = max(peak_rss_mb(pid) for pid in pids)
    closed = closed_once(engine, accounts)
    posted_once(engine, fake, written_deliveries(engine))
    return EndToEnd(
        closed=closed,
        closed_seconds=closed_seconds,
        drained_seconds=drained_seconds,
        messages=sum(len(messages) for messages in fake.messages.values()),
        limited=fake.rate_limited - limited,
        cpu_seconds=cpu,
        peak_rss_mb=peak,
    )


def measure(databases: Databases, accounts: int) -> tuple[EndToEnd, float]:
    """One period end of `accounts` on a fresh database, and the seconds its seeding took."""
    url = databases.fresh(POSTGRESQL)
    try:
        started = time.perf_counter()
        with connected(url) as engine:
            seed(engine, accounts)
        seeded = time.perf_counter() - started
        host = Workspace()
        with (
            FakeSlack(host, others=notice_workspaces(accounts, host.team_id)) as fake,
            connected(url) as engine,
        ):
            fake.latency = LATENCY_MS / 1000
            fake.limit_posts(POSTS_PER_SECOND, BURST)
            env = server_environment(fake, url, workers=1)  # web processes: none start
            env["LICENSEBOT_SWEEP_SECONDS"] = "1"
            schedulers = [Scheduler(env, databases.work, n) for n in range(PROCESSES)]
            try:
                wait_until_up(schedulers)
                return period_end(engine, accounts, fake, schedulers), seeded
            finally:
                for scheduler in schedulers:
                    scheduler.stop()
    finally:
        databases.drop(url)


def _case(accounts: int, done: EndToEnd, seeded: float) -> Case:
    metrics = {
        "periods closed": done.closed,
        "period end s": done.closed_seconds,
        "end to end s": done.drained_seconds,
        "messages": done.messages,
        "messages/s": done.messages / done.drained_seconds,
        "µs/account": done.drained_seconds / accounts * 1e6,
        "429s": done.limited,
        "scheduler CPU s": done.cpu_seconds,
        "peak RSS MB": done.peak_rss_mb,
    }
    labels = {
        "database": POSTGRESQL,
        "scheduler processes": str(PROCESSES),
        "accounts": f"{accounts:,}",
    }
    notes = f"seeding {accounts:,} accounts: {seeded:.1f} s"
    return Case(SUITE, labels, {k: Sample.of([v]) for k, v in metrics.items()}, notes=notes)


def _relative_to_smallest(cases: list[Case]) -> None:
    smallest = cases[0].metrics["µs/account"].median
    for case in cases:
        case.ratios["µs/account ÷ smallest"] = ratio(case.metrics["µs/account"].median, smallest)


def _checks(cases: list[Case]) -> list[Check]:
    """The deadline at the largest size; the flatness, when there are sizes to compare."""
    first, last = cases[0], cases[-1]
    checks = [
        Check(
            f"period end + delivery of {last.labels['accounts']} accounts end to end ≤ 15 "
            "minutes on PostgreSQL with two scheduler processes (s)",
            last.metrics["end to end s"].median,
            DEADLINE_SECONDS,
            False,
        )
    ]
    if len(cases) > 1:
        span = f"{first.labels['accounts']} → {last.labels['accounts']} accounts"
        checks.append(
            Check(
                f"per-account end-to-end cost flat, {span}: largest ÷ smallest ≤ {FLAT_BOUND}",
                last.ratios["µs/account ÷ smallest"],
                FLAT_BOUND,
                False,
            )
        )
    return checks


def run(databases: Databases, sizes: Sizes) -> SuiteResult:
    if POSTGRESQL not in databases.kinds:
        return SuiteResult(skipped=[f"{SUITE}: PostgreSQL is not installed"])
    cases = [_case(n, *measure(databases, n)) for n in sizes.end_to_end_accounts]
    _relative_to_smallest(cases)
    return SuiteResult(cases=cases, checks=_checks(cases))
