"""Run a local argv while its output streams line by line into a bounded, thread-safe buffer."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from cockpit.sanitize import clean

MAX_LINES = 2000
"""Lines kept while streaming: the newest win, so the end of a long command stays visible."""
MAX_LINE_CHARS = 1000
_DRAIN_S = 1.0


class OutputStream:
    """The newest lines of a running command; written by a reader thread, read by the UI."""

    def __init__(self, max_lines: int = MAX_LINES) -> None:
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._lock = threading.Lock()
        self._total = 0

    def add(self, raw: str) -> str:
        """Sanitise and keep one line; returns what was kept."""
        line = clean(raw.rstrip("\r\n"), max_len=MAX_LINE_CHARS, single_line=True)
        with self._lock:
            self._lines.append(line)
            self._total += 1
        return line

    @property
    def total(self) -> int:
        """Lines seen so far, including those the bound dropped (changes on every line)."""
        with self._lock:
            return self._total

    def tail(self, count: int) -> list[str]:
        """The newest `count` lines, oldest first."""
        with self._lock:
            return list(self._lines)[-count:] if count > 0 else []

    def text(self) -> tuple[str, bool]:
        """Every kept line and whether older ones were dropped."""
        with self._lock:
            return "\n".join(self._lines), self._total > len(self._lines)


@dataclass(frozen=True, slots=True)
class Finished:
    """How the command ended: exit status (None when killed at the deadline)."""

    returncode: int | None
    timed_out: bool
    seconds: float


def run_streamed(
    argv: tuple[str, ...],
    deadline_s: float,
    stream: OutputStream,
    on_line: Callable[[str], None] | None = None,
) -> Finished:
    """Run `argv` (no shell, no stdin, stderr merged) and feed each line to `stream`.

    The command runs in its own process group so that, at the deadline, it and anything it
    started are killed together; a grandchild holding the pipe cannot keep us waiting.
    Raises OSError when the program cannot be started.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace", bufsize=1, start_new_session=True,
    )  # fmt: skip
    reader = threading.Thread(target=_pump, args=(proc, stream, on_line), daemon=True)
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        proc.wait()
    reader.join(timeout=_DRAIN_S)
    if not reader.is_alive() and proc.stdout is not None:
        proc.stdout.close()
    # Otherwise something that left the group still holds the pipe: the daemon reader ends
    # with it, and the result keeps the lines read so far.
    code = None if timed_out else proc.returncode
    return Finished(code, timed_out, time.monotonic() - started)


def _pump(
    proc: subprocess.Popen[str], stream: OutputStream, on_line: Callable[[str], None] | None
) -> None:
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            line = stream.add(raw)
            if on_line is not None:
                on_line(line)
    except (OSError, ValueError):
        return  # the pipe was closed under us at the deadline


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
