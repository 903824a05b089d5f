"""Period ends: many accounts all due at once, closed by the scheduler's sweep in processes of
their own; the cost per account and the peak memory as the count grows, and two scheduler
processes on one PostgreSQL against one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.databases import POSTGRESQL, Databases, connected
from benchmarks.results import Case, Check, Sample, SuiteResult, ratio
from benchmarks.seed import seed_due_accounts
from benchmarks.sizes import Sizes
from benchmarks.workers import Worker
from licensing import orm

SUITE = "period ends"
SWEEP_WORKER = "benchmarks.sweep_worker"
FLAT_BOUND = 1.2
PARALLEL_BOUND = 1.5


@dataclass(frozen=True)
class Sweep:
    closed: int
    seconds: float
    peak_rss_mb: float


class WorkerPool:
    """Scheduler processes started together, before any sweep, so that no timed sweep shares
    the machine with a process that is still importing."""

    def __init__(self, count: int, work: Path) -> None:
        self.work = work
        self.idle = [Worker(SWEEP_WORKER, work) for _ in range(count)]
        for worker in self.idle:
            worker.read()  # loaded

    def take(self, count: int) -> list[Worker]:
        while len(self.idle) < count:
            self.idle.append(Worker(SWEEP_WORKER, self.work))
            self.idle[-1].read()
        taken, self.idle = self.idle[:count], self.idle[count:]
        return taken

    def close(self) -> None:
        for worker in self.idle:
            worker.stop()


def closed_periods(url: str) -> int:
    with connected(url) as engine, engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(orm.PeriodClosing)) or 0)


def sweep_together(workers: list[Worker], url: str) -> Sweep:
    """Let the workers sweep `url` at once, and time the whole, from the first to start to
    the last to finish."""
    for worker in workers:
        worker.tell(url)
    for worker in workers:
        worker.read()  # ready
    for worker in workers:
        worker.tell("go")
    reports = [worker.read() for worker in workers]
    for worker in workers:
        worker.process.wait()
    return Sweep(
        closed=closed_periods(url),
        seconds=max(r["finished"] for r in reports) - min(r["started"] for r in reports),
        peak_rss_mb=max(r["peak_rss_kb"] for r in reports) / 1024,
    )


class Templates:
    """One seeded database per database kind and account count, copied for each sweep."""

    def __init__(self, databases: Databases, workers: WorkerPool) -> None:
        self.databases = databases
        self.workers = workers
        self.seeded: dict[tuple[str, int], str] = {}
        self.seed_seconds: dict[tuple[str, int], float] = {}

    def get(self, kind: str, accounts: int) -> str:
        if (kind, accounts) not in self.seeded:
            url = self.databases.fresh(kind)
            started = time.perf_counter()
            with connected(url) as engine:
                seed_due_accounts(engine, accounts, datetime.now(UTC))
            self.seed_seconds[(kind, accounts)] = time.perf_counter() - started
            self.seeded[(kind, accounts)] = url
        return self.seeded[(kind, accounts)]

    def sweep(self, kind: str, accounts: int, processes: int = 1) -> Sweep:
        url = self.databases.copy(self.get(kind, accounts))
        try:
            done = sweep_together(self.workers.take(processes), url)
        finally:
            self.databases.drop(url)
        if done.closed != accounts:
            raise RuntimeError(f"the sweep closed {done.closed} periods of {accounts} due")
        return done

    def drop_all(self) -> None:
        for url in self.seeded.values():
            self.databases.drop(url)


def _growth(templates: Templates, kind: str, sizes: Sizes) -> tuple[list[Case], list[Check]]:
    cases = []
    for accounts in sizes.period_end_accounts:
        runs = [templates.sweep(kind, accounts) for _ in range(sizes.period_end_repeats(accounts))]
        metrics = {
            "seconds": Sample.of(r.seconds for r in runs),
            "µs/account": Sample.of(r.seconds / accounts * 1e6 for r in runs),
            "peak RSS MB": Sample.of(r.peak_rss_mb for r in runs),
        }
        seeded = templates.seed_seconds[(kind, accounts)]
        labels = {"database": kind, "accounts": f"{accounts:,}", "processes": "1"}
        cases.append(
            Case(
                SUITE,
                labels,
                metrics,
                notes=f"seeding {labels['accounts']} accounts on {kind}: {seeded:.1f} s",
            )
        )
    first, last = cases[0], cases[-1]
    for case in cases:
        case.ratios = {
            "µs/account ÷ smallest": ratio(
                case.metrics["µs/account"].median, first.metrics["µs/account"].median
            ),
            "peak RSS ÷ smallest": ratio(
                case.metrics["peak RSS MB"].median, first.metrics["peak RSS MB"].median
            ),
        }
    span = f"{first.labels['accounts']} → {last.labels['accounts']} accounts on {kind}"
    checks = [
        Check(
            f"µs per account, {span}: ratio ≤ {FLAT_BOUND}",
            last.ratios["µs/account ÷ smallest"],
            FLAT_BOUND,
            False,
        ),
        Check(
            f"peak RSS, {span}: ratio ≤ {FLAT_BOUND}",
            last.ratios["peak RSS ÷ smallest"],
            FLAT_BOUND,
            False,
        ),
    ]
    return cases, checks


def _parallel(templates: Templates, sizes: Sizes) -> tuple[list[Case], list[Check]]:
    accounts = sizes.parallel_accounts
    seconds: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(sizes.repeats):
        for processes in (1, 2):
            seconds[processes].append(templates.sweep(POSTGRESQL, accounts, processes).seconds)
    one, two = Sample.of(seconds[1]), Sample.of(seconds[2])
    speedup = ratio(one.median, two.median)
    labels = {"database": POSTGRESQL, "accounts": f"{accounts:,}", "processes": "2"}
    case = Case(
        SUITE,
        labels,
        {"seconds": two, "µs/account": Sample.of(s / accounts * 1e6 for s in seconds[2])},
        {"speed-up over 1 process": speedup},
        notes=f"one process on the same {accounts:,} accounts: {one.median:.1f} s (median)",
    )
    check = Check(
        f"2 scheduler processes on PostgreSQL, {accounts:,} accounts: speed-up ≥ {PARALLEL_BOUND}",
        speedup,
        PARALLEL_BOUND,
        True,
    )
    return [case], [check]


def _workers_needed(databases: Databases, sizes: Sizes) -> int:
    growth = sum(sizes.period_end_repeats(n) for n in sizes.period_end_accounts)
    parallel = 3 * sizes.repeats if POSTGRESQL in databases.kinds else 0
    return growth * len(databases.kinds) + parallel


def run(databases: Databases, sizes: Sizes) -> SuiteResult:
    workers = WorkerPool(_workers_needed(databases, sizes), databases.work)
    templates = Templates(databases, workers)
    result = SuiteResult()
    try:
        for kind in databases.kinds:
            cases, checks = _growth(templates, kind, sizes)
            result.cases += cases
            result.checks += checks
        if POSTGRESQL in databases.kinds:
            cases, checks = _parallel(templates, sizes)
            result.cases += cases
            result.checks += checks
    finally:
        workers.close()
        templates.drop_all()
    return result
