"""Pacing: posts to one place go at Slack's pace for a channel, and a 429 holds back only the
channel (or the workspace token) it was answered for."""

from __future__ import annotations

import threading

PRUNE_EVERY = 1_000  # spends


class Pacing:
    """A token bucket per place: `per_second` messages a second after a burst of `burst`
    (Slack allows about one a second to a channel, with short bursts). And holds: until when
    a place, or everything done with a token, waits because Slack answered 429. Times are
    `time.monotonic()` seconds; several dispatchers of one process may share it."""

    def __init__(self, per_second: float = 1.0, burst: float = 2.0) -> None:
        self.per_second = per_second
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}  # place -> (tokens, at)
        self._holds: dict[str, float] = {}  # place or token -> until
        self._lock = threading.Lock()
        self._spends = 0

    def ready_at(self, place: str, token: str, now: float) -> float:
        """When a message to `place` with `token` may go: `now`, or later."""
        with self._lock:
            tokens = self._tokens(place, now)
            paced = now if tokens >= 1 else now + (1 - tokens) / self.per_second
            return max(paced, self._holds.get(place, now), self._holds.get(token, now))

    def spend(self, place: str, now: float) -> None:
        with self._lock:
            self._buckets[place] = (self._tokens(place, now) - 1, now)
            self._spends += 1
            if self._spends % PRUNE_EVERY == 0:
                self._prune(now)

    def hold(self, key: str, until: float) -> None:
        """Nothing to `key` (a place, or a token) before `until`."""
        with self._lock:
            self._holds[key] = max(until, self._holds.get(key, until))

    def _tokens(self, place: str, now: float) -> float:
        tokens, at = self._buckets.get(place, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.per_second)

    def _prune(self, now: float) -> None:
        """Forget full buckets and holds that have passed: they say nothing any more."""
        full = [p for p in self._buckets if self._tokens(p, now) >= self.burst]
        for place in full:
            del self._buckets[place]
        for key in [k for k, until in self._holds.items() if until <= now]:
            del self._holds[key]
