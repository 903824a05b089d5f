"""`python -m benchmarks [--smoke] [--only SUITE ...] [--out results.json]`."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks import (
    account_scale,
    busy_requests,
    end_to_end,
    notices,
    operations,
    period_ends,
    slack_http,
)
from benchmarks.databases import Databases, postgres_server
from benchmarks.machine import describe
from benchmarks.results import Report, SuiteResult
from benchmarks.sizes import FULL, SMOKE, Sizes

Suite = Callable[[Databases, Sizes], SuiteResult]
SUITES: dict[str, Suite] = {
    "http": slack_http.run,
    "operations": operations.run,
    "period-ends": period_ends.run,
    "account-scale": account_scale.run,
    "notices": notices.run,
    "requests-during-period-end": busy_requests.run,
    "period-end-to-slack": end_to_end.run,
}
HERE = Path(__file__).parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="licensebot against baselines, in one run"
    )
    parser.add_argument("--smoke", action="store_true", help="every benchmark at a tiny size")
    parser.add_argument("--only", nargs="+", choices=list(SUITES), help="run only these suites")
    parser.add_argument("--out", type=Path, help="where to write the JSON results")
    parser.add_argument(
        "--period-end-accounts",
        type=int,
        nargs="+",
        metavar="N",
        help="account counts of the period-end sweeps (default 1000 10000 100000)",
    )
    parser.add_argument(
        "--notice-accounts",
        type=int,
        metavar="N",
        help="accounts whose notices the notice benchmark delivers (default 10000)",
    )
    parser.add_argument(
        "--busy-accounts",
        type=int,
        metavar="N",
        help="accounts of the period end run under request load (default 10000)",
    )
    parser.add_argument(
        "--busy-repeats",
        type=int,
        metavar="N",
        help="runs of each period end under request load (default 1)",
    )
    parser.add_argument(
        "--end-to-end-accounts",
        type=int,
        nargs="+",
        metavar="N",
        help="account counts of the period ends run end to end (default 1000 100000)",
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        metavar="N",
        help="server processes of each app under HTTP load (default: the number of cores)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    if args.period_end_accounts:
        sizes = replace(sizes, period_end_accounts=tuple(sorted(args.period_end_accounts)))
    if args.notice_accounts:
        sizes = replace(sizes, notice_accounts=args.notice_accounts)
    if args.busy_accounts:
        sizes = replace(sizes, busy_accounts=args.busy_accounts)
    if args.busy_repeats:
        sizes = replace(sizes, busy_repeats=args.busy_repeats)
    if args.end_to_end_accounts:
        sizes = replace(sizes, end_to_end_accounts=tuple(sorted(args.end_to_end_accounts)))
    if args.web_workers:
        sizes = replace(sizes, web_workers=args.web_workers)
    out = args.out or HERE / ("results-smoke.json" if args.smoke else "results.json")
    with tempfile.TemporaryDirectory(prefix="licensebot-bench-") as work, postgres_server() as pg:
        databases = Databases(Path(work), pg)
        report = Report(describe(pg), {"smoke": args.smoke, "sizes": sizes.as_json()})
        for name in args.only or SUITES:
            started = time.perf_counter()
            report.add(SUITES[name](databases, sizes))
            print(f"benchmarks: {name} took {time.perf_counter() - started:.0f} s", flush=True)
    print(report.text())
    report.write_json(out)
    print(f"benchmarks: results written to {out}")
    return 0
