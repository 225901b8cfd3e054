"""Measures a program in a real pty: first paint, bytes written, CPU, RSS and key latency."""

from __future__ import annotations

import fcntl
import os
import pty
import statistics
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
DSR = b"\x1b[6n"
"""Device status report: blessed (pg_activity) sends it after its capability queries and
waits up to seconds for the answer, which every real terminal gives at once."""
CURSOR_REPORT = b"\x1b[1;1R"
_compiled = False


def ensure_bytecode() -> None:
    """Compile the installed `cockpit` package's bytecode, as pip and pipx do when they install.

    An editable checkout has no `.pyc` for a module edited since it was last imported, and none
    at all under PYTHONDONTWRITEBYTECODE: every timed start would then compile that source
    again, a cost no installed copy pays (it was 40-120 ms of CPU at first output here).
    """
    global _compiled
    if _compiled:
        return
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("cockpit")
    roots = {Path(p).resolve() for p in (spec.submodule_search_locations or [])} if spec else set()
    # compileall does not follow symlinked directories (screens/ and runbooks/ in a checkout).
    for root in list(roots):
        roots.update(child.resolve() for child in root.iterdir() if child.is_symlink())
    for root in sorted(roots):
        if root.is_dir():
            compileall.compile_dir(root, quiet=1)
    _compiled = True


class Term:
    """A program on a pty whose output is drained (optionally throttled) and counted."""

    def __init__(
        self,
        argv: Sequence[str],
        size: tuple[int, int],
        env: Mapping[str, str] | None = None,
        throttle_bps: int | None = None,
        screen: bool = False,
    ) -> None:
        master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        ensure_bytecode()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.throttle_bps = throttle_bps
        self.lock = threading.Lock()
        self.total = 0
        self.tail = bytearray()
        self.last_chunk_at = 0.0
        self.cpu_ms_at_needle = 0.0
        """CPU time the program had used when `wait_for` last saw its needle (less noisy
        than wall time on a shared machine)."""
        self._screen: Any = None
        self._stream: Any = None
        self._pending: list[tuple[float, bytes]] = []
        self._screen_lock = threading.Lock()
        if screen:
            # What a terminal shows: the cockpit writes only the cells that changed, so a
            # word on screen (a new playhead time) need not appear whole in the bytes.
            import pyte

            self._screen = pyte.Screen(cols, rows)
            self._stream = pyte.ByteStream(self._screen)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        size = 4096 if self.throttle_bps else 65536
        while True:
            try:
                chunk = os.read(self.master, size)
            except OSError:
                return
            if not chunk:
                return
            arrived = time.monotonic()
            if DSR in chunk:  # a real terminal answers where its cursor is; some peers wait
                os.write(self.master, CURSOR_REPORT * chunk.count(DSR))
            with self.lock:
                self.total += len(chunk)
                self.tail.extend(chunk)
                del self.tail[:-200_000]
                if self._stream is not None:
                    self._pending.append((arrived, chunk))  # modelled when asked
                self.last_chunk_at = time.monotonic()
            if self.throttle_bps:
                time.sleep(len(chunk) / self.throttle_bps)

    def wait_for(self, needle: bytes, timeout_s: float = 20.0) -> float:
        """Seconds from start until `needle` was written (raises TimeoutError)."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            with self.lock:
                if needle in self.tail:
                    self.cpu_ms_at_needle = 1000.0 * self._cpu_ticks() / TICKS
                    return time.monotonic() - self.started
            time.sleep(0.002)
        raise TimeoutError(f"{needle!r} not written within {timeout_s} s")

    def catch_up(self, text: str = "") -> float | None:
        """Feed the screen model what has arrived; the arrival time of the bytes that first
        put `text` on the screen, or None. The model (pyte, slow) runs only when asked, so
        that while a program is timed it neither steals a core nor delays the reader."""
        with self.lock:
            chunks, self._pending = self._pending, []
        found = None
        with self._screen_lock:
            for arrived, chunk in chunks:
                self._stream.feed(chunk)
                if text and found is None and self._on_screen(text):
                    found = arrived
        return found

    def _on_screen(self, text: str) -> bool:
        return any(text in line for line in self._screen.display)

    def shows(self, text: str) -> bool:
        """Whether `text` is on one line of the screen now (a Term made with `screen=True`)."""
        self.catch_up()
        with self._screen_lock:
            return self._on_screen(text)

    def shown_after(self, text: str, since: float, timeout_s: float) -> float:
        """Seconds from `since` (monotonic) until the bytes that put `text` on the screen
        arrived; the model catches up each time the program pauses its output."""
        end = since + timeout_s
        while time.monotonic() < end:
            self.quiet(0.25, limit_s=2.0)
            found = self.catch_up(text)
            if found is not None:
                return found - since
            time.sleep(0.01)
        raise TimeoutError(f"{text!r} not on screen within {timeout_s} s")

    def wait_shown(self, text: str, timeout_s: float = 20.0) -> float:
        """Seconds from start until `text` is on the screen (raises TimeoutError)."""
        if self.shows(text):
            return time.monotonic() - self.started
        return self.shown_after(text, self.started, time.monotonic() - self.started + timeout_s)

    def bytes_per_s(self, window_s: float) -> float:
        """Average bytes written per second over the next `window_s`."""
        before = self.total
        time.sleep(window_s)
        return (self.total - before) / window_s

    def cpu_percent(self, window_s: float) -> float:
        """CPU use of the process over the next `window_s`, in % of one core."""
        before = self._cpu_ticks()
        time.sleep(window_s)
        return 100.0 * (self._cpu_ticks() - before) / TICKS / window_s

    def _cpu_ticks(self) -> int:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def rss_mb(self) -> float:
        """Resident set size now, in MB."""
        pages = int(Path(f"/proc/{self.proc.pid}/statm").read_text().split()[1])
        return pages * PAGE / 2**20

    def key_latency_ms(self, key: bytes, undo: bytes, repeats: int) -> list[float]:
        """Time from writing `key` until the first byte of the screen update arrives."""
        samples: list[float] = []
        for _ in range(repeats):
            for data in (key, undo):
                self.quiet(0.3)
                with self.lock:
                    mark = self.total
                sent = time.monotonic()
                os.write(self.master, data)
                end = sent + 5.0
                while time.monotonic() < end:
                    with self.lock:
                        if self.total > mark:
                            break
                    time.sleep(0.0005)
                if data == key:
                    samples.append((time.monotonic() - sent) * 1000.0)
        return samples

    def quiet(self, gap_s: float, limit_s: float = 5.0) -> None:
        """Wait until nothing was written for `gap_s` (at most `limit_s`)."""
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            with self.lock:
                idle = time.monotonic() - max(self.last_chunk_at, self.started)
            if idle >= gap_s:
                return
            time.sleep(0.02)

    def send(self, data: bytes) -> None:
        """Type `data`."""
        os.write(self.master, data)

    def close(self) -> None:
        """Quit with `q`, then kill if it lingers."""
        try:
            os.write(self.master, b"q")
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=2)
        os.close(self.master)


def median(values: Sequence[float]) -> float:
    """Median, 0 for no values."""
    return statistics.median(values) if values else 0.0


def p95(values: Sequence[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0
