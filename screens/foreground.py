"""Rows a user is waiting for (a large pane built on a thread); background folds give way."""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_awaited: set[int] = set()
POLL_S = 0.005


def awaited(owner: object, waiting: bool) -> None:
    """`owner` (a pane) starts or stops waiting for rows being prepared for the screen: while
    any pane waits, the replay's background fold holds back instead of taking half of the
    interpreter from them (they are one thread each, the GIL is shared)."""
    with _lock:
        if waiting:
            _awaited.add(id(owner))
        else:
            _awaited.discard(id(owner))


def busy() -> bool:
    """True while some pane waits for its rows."""
    return bool(_awaited)


def wait_until_idle(stop: threading.Event, at_most_s: float) -> None:
    """Sleep while a pane waits for its rows, at most `at_most_s` (a pane torn down while
    waiting must not hold the background work back for ever), or until `stop` is set."""
    deadline = time.monotonic() + at_most_s
    while busy() and not stop.is_set() and time.monotonic() < deadline:
        time.sleep(POLL_S)
