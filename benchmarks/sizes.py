"""How big each benchmark is: the full run, and a smoke run that only shows everything works."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sizes:
    repeats: int
    http_seconds: int
    http_databases: tuple[str, ...]
    operations: int  # per kind and run
    period_end_accounts: tuple[int, ...]
    parallel_accounts: int  # closed by one, then by two scheduler processes
    big_pool_seats: int
    big_ledger_rows: int
    scale_operations: int  # per kind and run
    http_concurrency: tuple[int, ...] = (1, 8, 32)
    # Server processes of licensebot and of the bare app alike, as production would run them.
    web_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    http_warm_up: bool = True
    repeat_limit_accounts: int = 1_000  # larger sweeps run once: they take minutes
    notice_accounts: int = 10_000  # about two notices each
    # (database, Slack's latency in ms) of each notice drain
    notice_runs: tuple[tuple[str, int], ...] = (
        ("postgresql", 0),
        ("postgresql", 100),
        ("postgresql", 300),
        ("sqlite", 100),
    )
    notice_concurrency: int = 32
    notice_repeats: int = 1  # a drain takes minutes
    busy_accounts: int = 10_000  # closed at once while `/license status` is loaded
    # (database, web server processes) of each period end under load: with one, the
    # scheduler shares its process with the web server, as `licensebot run` starts it
    busy_runs: tuple[tuple[str, int], ...] = (
        ("sqlite", 1),
        ("sqlite", 2),
        ("postgresql", 1),
        ("postgresql", 2),
    )
    busy_repeats: int = 1  # a period end under load takes minutes
    # accounts of each period end run end to end, by two scheduler processes on PostgreSQL;
    # each runs once: they take minutes
    end_to_end_accounts: tuple[int, ...] = (1_000, 100_000)

    def period_end_repeats(self, accounts: int) -> int:
        return self.repeats if accounts <= self.repeat_limit_accounts else 1

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


FULL = Sizes(
    repeats=3,
    http_seconds=5,
    http_databases=("sqlite", "postgresql"),
    operations=300,
    period_end_accounts=(1_000, 10_000, 100_000),
    parallel_accounts=2_000,
    big_pool_seats=100_000,
    big_ledger_rows=1_000_000,
    scale_operations=50,
)

SMOKE = Sizes(
    repeats=1,
    http_seconds=1,
    http_databases=("sqlite",),
    http_warm_up=False,
    operations=10,
    period_end_accounts=(5, 10, 20),
    parallel_accounts=10,
    big_pool_seats=200,
    big_ledger_rows=2_000,
    scale_operations=5,
    notice_accounts=30,
    notice_runs=(("sqlite", 0), ("sqlite", 100), ("postgresql", 100)),
    busy_accounts=20,
    busy_runs=(("sqlite", 1), ("postgresql", 2)),
    end_to_end_accounts=(20,),
)
