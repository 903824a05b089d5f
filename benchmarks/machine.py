"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text


def _proc_field(path: str, name: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _memory() -> str:
    total = _proc_field("/proc/meminfo", "MemTotal")
    kilobytes = total.split()[0]
    return f"{int(kilobytes) / 1024**2:.1f} GiB" if kilobytes.isdigit() else total


def postgres_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


def wrk_version() -> str:
    if shutil.which("wrk") is None:
        return "not installed"
    shown = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (shown.stdout or shown.stderr).splitlines()[0].split(" [")[0]


def describe(postgres_url: str | None) -> dict[str, Any]:
    return {
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory": _memory(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(postgres_url) if postgres_url else "not installed",
        "wrk": wrk_version(),
        "load average at start (1, 5, 15 min)": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }
