"""Load from `wrk` (another process, in C): pre-signed requests, a fixed number of
connections, latency percentiles from its own histogram."""

from __future__ import annotations

import json
import resource
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from slack_standin.requester import slack_signature

SCRIPT = Path(__file__).with_name("requests.lua")
INSTALL_WRK = "wrk is not installed: apt-get install wrk"
TIMEOUT_SECONDS = 10
OPEN_ENDED_SECONDS = 3_600  # longer than any load stopped by hand


def wrk_missing() -> str | None:
    return None if shutil.which("wrk") else INSTALL_WRK


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    unexpected: int
    cpu_seconds: float  # wrk's own, to show it is not the bottleneck

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def write_signed(path: Path, bodies: list[str], signing_secret: str, timestamp: int) -> Path:
    """One request a line, signed now: Slack accepts a signature for 5 minutes."""
    with path.open("w") as out:
        for body in bodies:
            signature = slack_signature(signing_secret, str(timestamp), body)
            out.write(f"{timestamp}\t{signature}\t{body}\n")
    return path


def _command(url: str, requests: Path, expect: str, connections: int, seconds: int) -> list[str]:
    return [
        "wrk",
        "--threads=1",  # one thread keeps the requests in order; it is far from busy
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        f"--script={SCRIPT}",
        url,
        "--",
        str(requests),
        expect,
    ]


def _figures(shown: str, cpu_seconds: float) -> WrkRun:
    figures = json.loads(shown.strip().splitlines()[-1])
    return WrkRun(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        errors=figures["errors"],
        unexpected=figures["unexpected"],
        cpu_seconds=cpu_seconds,
    )


def run_wrk(url: str, requests: Path, expect: str, connections: int, seconds: int) -> WrkRun:
    before = _children_cpu_seconds()
    command = _command(url, requests, expect, connections, seconds)
    shown = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return _figures(shown, _children_cpu_seconds() - before)


class OpenEndedLoad:
    """wrk sending load until `stop()`: interrupted, it stops sending and prints its figures
    for the time it ran."""

    def __init__(self, url: str, requests: Path, expect: str, connections: int) -> None:
        self._before = _children_cpu_seconds()
        command = _command(url, requests, expect, connections, OPEN_ENDED_SECONDS)
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)

    def stop(self) -> WrkRun:
        self._process.send_signal(signal.SIGINT)
        shown, _ = self._process.communicate(timeout=TIMEOUT_SECONDS * 2)
        if self._process.returncode:
            raise RuntimeError(f"wrk stopped with exit code {self._process.returncode}")
        return _figures(shown, _children_cpu_seconds() - self._before)


def _children_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime
