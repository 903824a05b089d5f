"""How a web worker process wakes the notice dispatcher of the first process, which alone runs
the scheduler: a datagram on a Unix socket in a private directory. (A signal would do, but
uvicorn's supervisor takes every spare one.)"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class WakeListener:
    """Runs `on_wake` in a thread of its own whenever a worker asks."""

    def __init__(self, on_wake: Callable[[], None]) -> None:
        self._directory = Path(tempfile.mkdtemp(prefix="licensebot-wake-"))
        self.address = str(self._directory / "socket")
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(self.address)
        self._on_wake = on_wake
        threading.Thread(target=self._listen, name="licensebot-wake", daemon=True).start()

    def close(self) -> None:
        self._socket.close()
        shutil.rmtree(self._directory, ignore_errors=True)

    def _listen(self) -> None:
        while True:
            try:
                self._socket.recv(16)
            except OSError:  # closed
                return
            try:
                self._on_wake()
            except Exception:  # a failed wake-up only delays delivery to the next interval
                log.exception("could not wake the notice dispatcher")


def waker_for(address: str) -> Callable[[], None]:
    """What a worker calls after a change. It never blocks the event loop: if wake-ups are
    already queued, another one adds nothing."""
    sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sender.setblocking(False)

    def deliver_soon() -> None:
        try:
            sender.sendto(b"!", address)
        except OSError as error:
            log.debug("no wake-up sent: %s", error)

    return deliver_soon
