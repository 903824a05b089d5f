"""One scheduler process of the period-end benchmark, built as `licensebot scheduler` builds
it. Started ahead of time, it says it has loaded, then reads the database URL from standard
input, says it is ready, waits for another line, runs one sweep of every due period and
prints when it started and finished and its peak memory. It speaks in JSON lines.

    python -m benchmarks.sweep_worker
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from bot.bootstrap import build
from bot.settings import Settings


def _peak_rss_kb() -> int:
    """The high-water mark of this program's memory. Not `getrusage`: on Linux its maximum
    survives `exec`, so it would include the parent's size when it started this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    print(json.dumps({"loaded": True}), flush=True)
    url = sys.stdin.readline().strip()
    components = build(Settings(database_url=url), migrate_sqlite=False)
    print(json.dumps({"ready_rss_kb": _peak_rss_kb()}), flush=True)
    sys.stdin.readline()
    started = time.time()
    components.sweeper.run_once()
    finished = time.time()
    done = {"started": started, "finished": finished, "peak_rss_kb": _peak_rss_kb()}
    print(json.dumps(done), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
