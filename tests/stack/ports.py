"""Free loopback ports and deadline-bounded waiting for servers to become ready."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"


class StackError(RuntimeError):
    """A test server did not start or stop as expected; the message carries its log tail."""


def free_port(host: str = LOOPBACK) -> int:
    """A port that was free a moment ago (the server binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    log_tail: Callable[[], str] | None = None,
    alive: Callable[[], bool] | None = None,
    interval: float = 0.05,
) -> None:
    """Poll `check` until it returns True; raise StackError with the log tail on timeout.

    `alive` lets a crashed server fail at once instead of after the whole timeout.
    """
    deadline = time.monotonic() + timeout
    last_error = ""
    while True:
        try:
            if check():
                return
        except Exception as exc:  # readiness probes fail in many ways until the server is up
            last_error = f"{type(exc).__name__}: {exc}"
        dead = alive is not None and not alive()
        if dead or time.monotonic() >= deadline:
            reason = "exited early" if dead else f"not ready after {timeout:.0f} s"
            tail = log_tail() if log_tail else ""
            detail = f" (last probe error: {last_error})" if last_error else ""
            raise StackError(f"{what} {reason}{detail}\n--- log tail ---\n{tail}")
        time.sleep(interval)
