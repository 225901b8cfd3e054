"""A progress bar on stderr for long passes over a log (`cockpit verify`, `cockpit export`):
drawn only when the stream is a terminal, so pipes and files get nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

WIDTH = 30
_MB = 1024 * 1024


def bar_text(label: str, done: int, total: int | None, elapsed: float) -> str:
    """`label [#####.....]  45%  120 MB/s` (bytes read and rate only, without a total)."""
    rate = f"{done / _MB / elapsed:5.0f} MB/s" if elapsed > 0 else "   -- MB/s"
    if not total:
        return f"{label} {done / _MB:8.0f} MB  {rate}"
    share = min(done / total, 1.0)
    filled = int(share * WIDTH)
    return f"{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}  {rate}"


class ProgressBar:
    """Call `update(bytes_done)` as often as wanted: it redraws at most every `every` s."""

    def __init__(
        self,
        label: str,
        total: int | None,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        every: float = 0.2,
    ) -> None:
        self.label = label
        self.total = total
        self.enabled = _is_terminal(stream)
        self._stream = stream
        self._clock = clock
        self._every = every
        self._start = clock()
        self._drawn = float("-inf")
        self.drawn = 0
        """How many times the bar was drawn (for tests)."""
        self._width = 0
        """Width of the longest line drawn: blanks, not an escape sequence, erase it (the
        cockpit writes no escape sequence outside its full-screen UI)."""

    def phase(self, label: str) -> None:
        """A new pass over the same bytes (e.g. verify after fold): restart the bar."""
        self.label = label
        self._start = self._clock()
        self._drawn = float("-inf")

    def update(self, done: int) -> None:
        """Redraw with `done` bytes read, unless drawn less than `every` seconds ago."""
        if not self.enabled:
            return
        now = self._clock()
        if now - self._drawn < self._every:
            return
        self._drawn = now
        self.drawn += 1
        text = bar_text(self.label, done, self.total, now - self._start)
        self._width = max(self._width, len(text))
        self._stream.write(f"\r{text.ljust(self._width)}")
        self._stream.flush()

    def close(self) -> None:
        """Erase the bar (the command's own output follows on a clean line)."""
        if self.enabled and self.drawn:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def plain_size(path: str) -> int | None:
    """The size to show progress against: the file's, unless it is gzip (its offsets are of
    the uncompressed stream, so only bytes read and the rate are shown)."""
    try:
        with open(path, "rb") as probe:
            if probe.read(2) == b"\x1f\x8b":
                return None
            probe.seek(0, 2)
            return probe.tell()
    except OSError:
        return None
