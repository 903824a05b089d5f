"""A benchmark's worker: `python -m <module>` in a process of its own, started in the work
folder (so that no .env of a developer's is read) and spoken to in JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


class Worker:
    def __init__(self, module: str, work: Path) -> None:
        self.module = module
        self.process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=work,
            env={"PYTHONPATH": str(REPO)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.module} stopped with exit code {self.process.wait()}")
        return dict(json.loads(line))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
