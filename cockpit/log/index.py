"""Side index of a big log (offset, seq, ts every N bytes), built in the background, cached."""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from cockpit.clock import parse_rfc3339, rfc3339
from cockpit.log.codec import CodecError, parse_line
from cockpit.log.reader import DEFAULT_MAX_LINE, ReadError, iter_lines, open_binary

INDEX_SUFFIX = ".idx"
_CACHE_VERSION = 1
_BLOCK = 64 * 1024


@dataclass(frozen=True, slots=True)
class IndexPoint:
    """Start of one line: its byte offset (in the uncompressed stream), seq and time."""

    offset: int
    seq: int
    ts: datetime


class LogIndex:
    """Index points every `every_bytes`; only a few lines are parsed, so 1 GB takes ~0.1 s.

    Use `start()` to build in a thread; `points`, `seek()` work on what is known so far.
    Lines are assumed sane (seq on line n is n); `cockpit verify` is the integrity check.
    """

    def __init__(
        self, path: str | Path, *, every_bytes: int = 256 * 1024, cache: bool = True
    ) -> None:
        self.path = Path(path)
        self.every_bytes = every_bytes
        self.cache = cache
        self._points: list[IndexPoint] = []
        self._times: list[datetime] = []
        self._lock = threading.Lock()
        self.done = threading.Event()
        self.last: IndexPoint | None = None
        """The last complete line of the log (end of the replay), once built."""
        self.error: str | None = None

    @property
    def points(self) -> list[IndexPoint]:
        """A copy of the points known so far, in file order."""
        with self._lock:
            return list(self._points)

    def start(self) -> LogIndex:
        """Build in a daemon thread; `done` is set when finished (or failed, see `error`)."""
        threading.Thread(target=self.build, name="log-index", daemon=True).start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Block until built; False on timeout."""
        return self.done.wait(timeout)

    def seek(self, when: datetime) -> IndexPoint | None:
        """The indexed line nearest before `when` (the first one if `when` is earlier)."""
        with self._lock:
            if not self._points:
                return None
            at = bisect.bisect_right(self._times, when) - 1
            return self._points[max(at, 0)]

    def build(self) -> None:
        """Load a matching cache or scan the file; never raises (sets `error`)."""
        try:
            if not (self.cache and self._load_cache()):
                with open_binary(self.path) as stream:
                    self._scan(stream)
                if self.cache:
                    self._save_cache()
        except (OSError, EOFError, ValueError, ReadError) as exc:
            self.error = f"index of {self.path} incomplete: {exc}"
        finally:
            self.done.set()

    def _add(self, point: IndexPoint) -> None:
        with self._lock:
            self._points.append(point)
            self._times.append(point.ts)

    def _scan(self, stream: IO[bytes]) -> None:
        offset = 0
        point = _point_at(stream, 0)
        while point is not None:
            self._add(point)
            offset = point.offset
            start = _next_line_start(stream, point.offset + self.every_bytes)
            point = None if start is None else _point_at(stream, start)
        stream.seek(offset)
        last_raw: tuple[int, bytes] | None = None
        with contextlib.suppress(ReadError):
            for _line_no, line_offset, raw in iter_lines(stream, DEFAULT_MAX_LINE, offset):
                if raw is not None:
                    last_raw = (line_offset, raw)
        if last_raw is not None:
            self.last = _make_point(last_raw[0], last_raw[1])

    def _cache_key(self) -> dict[str, object]:
        stat = self.path.stat()
        with open_binary(self.path) as stream:
            head = stream.read(_BLOCK).split(b"\n", 1)[0]
        return {
            "version": _CACHE_VERSION,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "every_bytes": self.every_bytes,
            "head": head.decode("utf-8", "replace")[-80:],
        }

    def _load_cache(self) -> bool:
        cache = Path(str(self.path) + INDEX_SUFFIX)
        try:
            data = json.loads(cache.read_text("utf-8"))
            if data.get("key") != self._cache_key():
                return False
            points = [IndexPoint(int(o), int(s), parse_rfc3339(t)) for o, s, t in data["points"]]
            last = data["last"]
        except (OSError, ValueError, KeyError, TypeError):
            return False  # a cache, not a source of truth: any doubt means rebuild
        for point in points:
            self._add(point)
        if last is not None:
            self.last = IndexPoint(int(last[0]), int(last[1]), parse_rfc3339(last[2]))
        return True

    def _save_cache(self) -> None:
        cache = str(self.path) + INDEX_SUFFIX
        rows = [[p.offset, p.seq, rfc3339(p.ts)] for p in self.points]
        last = [self.last.offset, self.last.seq, rfc3339(self.last.ts)] if self.last else None
        body = json.dumps({"key": self._cache_key(), "points": rows, "last": last})
        tmp = f"{cache}.{os.getpid()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(body)
            Path(tmp).replace(cache)
        except OSError:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()  # a read-only directory only costs the cache


def _next_line_start(stream: IO[bytes], target: int) -> int | None:
    """Offset of the first line starting after `target` (None at end of file)."""
    stream.seek(target)
    pos = target
    while block := stream.read(_BLOCK):
        found = block.find(b"\n")
        if found >= 0:
            return pos + found + 1
        pos += len(block)
        if pos - target > DEFAULT_MAX_LINE:
            return None
    return None


def _point_at(stream: IO[bytes], offset: int) -> IndexPoint | None:
    """Parse the line starting at `offset`, reading small blocks (None if torn or damaged)."""
    stream.seek(offset)
    buf = b""
    while len(buf) <= DEFAULT_MAX_LINE and (block := stream.read(_BLOCK)):
        found = block.find(b"\n")
        if found >= 0:
            return _make_point(offset, buf + block[:found])
        buf += block
    return None


def _make_point(offset: int, raw: bytes) -> IndexPoint | None:
    try:
        obj = parse_line(raw)
    except CodecError:
        return None
    return IndexPoint(offset, obj["seq"], parse_rfc3339(obj["ts"]))
