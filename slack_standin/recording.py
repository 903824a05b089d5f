"""What a FakeSlack answered, kept for the tests to read and wait for."""

from __future__ import annotations

import copy
import threading
from collections import Counter
from dataclasses import dataclass

from slack_standin.workspace import JsonDict


@dataclass(frozen=True)
class RecordedCall:
    method: str
    params: JsonDict
    token: str | None
    failed: bool = False
    response: JsonDict | None = None


class Flights:
    """How many requests are being answered at once, and the most there were."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def begin(self) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def end(self) -> None:
        with self._lock:
            self.now -= 1


class CallRecording:
    """Every call answered, in order (failed ones included), and how many of each method; what
    was posted to each response_url; the 429s answered; the most requests answered at once.

    `_changed` guards the whole of a FakeSlack's state: a subclass changes it, and records
    with `_record`, while holding it, so that a waiting test wakes to what it waits for."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._calls: list[RecordedCall] = []
        self._counts: Counter[str] = Counter()
        self._flights = Flights()
        self.rate_limited = 0  # 429s answered with Retry-After, injected ones included
        self.responses: dict[str, list[JsonDict]] = {}

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def count(self, method: str) -> int:
        """How many calls of `method` were answered (failed ones included), without copying
        the record: cheap enough to poll while thousands of calls arrive."""
        return self._counts[method]

    def clear(self) -> None:
        """Forget recorded calls, response_url posts, the 429 count and the peak concurrency;
        workspace state stays."""
        with self._changed:
            self._calls.clear()
            self._counts.clear()
            self.responses.clear()
            self.rate_limited = 0
            self._flights.peak = self._flights.now

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until `count` calls of `method` (failed ones included) have been answered."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.calls(method)) >= count, timeout):
                seen = [c.method for c in self._calls]
                raise TimeoutError(f"{count}× {method} not called within {timeout}s; saw {seen}")
            return self.calls(method)

    def wait_for_response(self, name: str, count: int = 1, timeout: float = 5.0) -> list[JsonDict]:
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: len(self.responses.get(name, [])) >= count, timeout
            )
            if not arrived:
                raise TimeoutError(f"{count} post(s) to response_url {name!r} within {timeout}s")
            return copy.deepcopy(self.responses[name])

    @property
    def peak_concurrency(self) -> int:
        """The most requests being answered at once since the start (or `clear`)."""
        return self._flights.peak

    def _record(self, call: RecordedCall) -> None:
        self._calls.append(call)
        self._counts[call.method] += 1
        self._changed.notify_all()
