"""One outside tool's deliveries, posted in log order by a daemon thread."""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

from cockpit.outbox.delivery import Attempt, Delivery, Key

BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Waits after consecutive failures without a Retry-After (Slack or GitHub down)."""
WAIT_S = 2.0
"""How soon a delivery waiting on another cockpit's ticket is tried again."""


class Poster(Protocol):
    """Makes one attempt at one delivery (never raises, never retries)."""

    def deliver(self, d: Delivery) -> Attempt:
        """Post `d` once."""
        ...


class Lane:
    """Posts deliveries one after another; a failure holds the rest back (order is kept)
    and is retried after the tool's Retry-After, or after a growing backoff.

    Attempts go to `results` (the session appends them as events on its own thread);
    `notify` is called after each one so that the owner can do that promptly.
    """

    def __init__(
        self,
        name: str,
        poster: Poster,
        results: queue.SimpleQueue[Attempt],
        *,
        notify: Callable[[], None] | None = None,
        backoff: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        self.name = name
        self._poster = poster
        self._results = results
        self._notify = notify
        self._backoff = backoff
        self._queue: deque[Delivery] = deque()
        self._seen: set[Key] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.failures = 0
        """Consecutive failed attempts at the delivery now at the head."""
        self._thread = threading.Thread(target=self._run, name=f"outbox-{name}", daemon=True)
        self._thread.start()

    def offer(self, deliveries: Iterable[Delivery]) -> None:
        """Queue the deliveries not seen before (the outbox offers every pending one)."""
        with self._lock:
            for d in deliveries:
                if d.key not in self._seen:
                    self._seen.add(d.key)
                    self._queue.append(d)
        self._wake.set()

    @property
    def queued(self) -> int:
        """Deliveries not posted yet by this lane."""
        with self._lock:
            return len(self._queue)

    def stop(self, wait_s: float = 1.0) -> None:
        """Stop after the attempt in flight (its client's deadline bounds it)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(wait_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                head = self._queue[0] if self._queue else None
            if head is None:
                self._wake.wait()
                self._wake.clear()
                continue
            attempt = self._poster.deliver(head)
            if attempt.wait:
                self._stop.wait(WAIT_S)
                continue
            self._results.put(attempt)
            if self._notify is not None:
                self._notify()
            if attempt.ok:
                self.failures = 0
                with self._lock:
                    self._queue.popleft()
            else:
                self.failures += 1
                delay = attempt.retry_after_s
                if delay is None:
                    delay = self._backoff[min(self.failures, len(self._backoff)) - 1]
                self._stop.wait(delay)
