"""One scheduler process of the period-end benchmark, built as `licensebot scheduler` builds
it: it says `ready`, waits for a line on standard input, runs one sweep of every due period
and prints what it did as one JSON line.

    python -m benchmarks.sweep_worker DATABASE_URL
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Sequence

from bot.bootstrap import build
from bot.settings import Settings


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def main(argv: Sequence[str]) -> int:
    components = build(Settings(database_url=argv[0]), migrate_sqlite=False)
    print(json.dumps({"ready_rss_kb": _peak_rss_kb()}), flush=True)
    sys.stdin.readline()
    started = time.time()
    report = components.sweeper.run_once()
    finished = time.time()
    done = {"closed": len(report.closed), "started": started, "finished": finished}
    print(json.dumps({**done, "peak_rss_kb": _peak_rss_kb()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
