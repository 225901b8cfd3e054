"""LISTEN/NOTIFY for the shared store: a thread that flags new lines and watches the server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg

from cockpit.log.pgschema import CHANNEL
from cockpit.settings.secrets import Secret

WAIT_S = 0.5
"""How long one `notifies()` wait lasts before the stop flag is checked again."""
KEEPALIVE: dict[str, Any] = {
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "tcp_user_timeout": 10_000,
}
"""A silent network loss is noticed within about 10 s, idle (an idle LISTEN sends nothing) or
writing (data unacknowledged for 10 s), rather than after the kernel's minutes."""
RETRY_S = 1.0
"""Pause between two connection attempts while the server is unreachable."""


class Listener:
    """Listens on the store's channel in a daemon thread, without polling the tables.

    `changed` is set when the incident's chain grew (or when the connection came back, since
    notifications may have been missed); `reachable` says whether the server answers. The
    owner reads the new lines itself; `wake` (optional) is called from this thread.
    """

    def __init__(self, dsn: Secret, incident: str, wake: Callable[[], None] | None = None) -> None:
        self._dsn = dsn
        self._incident = incident
        self._wake = wake
        self.changed = threading.Event()
        self.reachable = threading.Event()
        self._stop = threading.Event()
        self._conn: psycopg.Connection[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="store-listener", daemon=True)

    def start(self) -> Listener:
        """Start the thread (returns self)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread within about WAIT_S and close its connection."""
        self._stop.set()
        self._thread.join(timeout=WAIT_S * 4)

    def _signal(self) -> None:
        self.changed.set()
        if self._wake is not None:
            self._wake()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn.reveal(), autocommit=True, **KEEPALIVE) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.reachable.set()
                    self._signal()  # anything committed while we were away
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=WAIT_S):
                            if note.payload == self._incident:
                                self._signal()
                        if conn.closed or conn.broken:
                            break
            except (psycopg.Error, OSError):
                pass
            self.reachable.clear()
            self._stop.wait(RETRY_S)
