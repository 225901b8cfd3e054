"""The side index: points every N bytes, seek by time, a cache that is rebuilt when stale."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.clock import FrozenClock
from cockpit.log.events import NoteAdded
from cockpit.log.index import LogIndex
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def build_log(path: Path, events: int) -> None:
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    with log:
        for i in range(events - 1):
            clock.advance(2)
            log.append(NoteAdded(note_id=f"n{i}", text="x" * 100, author="a"))


def test_points_match_real_line_starts(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    build_log(path, 500)
    index = LogIndex(path, every_bytes=4096, cache=False).start()
    assert index.wait(10) and index.error is None
    starts = {r.offset: r.event.seq for r in LogReader(path)}
    points = index.points
    assert len(points) > 20 and points[0].offset == 0 and points[0].seq == 1
    assert all(starts[p.offset] == p.seq for p in points)
    assert index.last is not None and index.last.seq == 500


def test_seek_returns_nearest_point_before(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    build_log(path, 500)
    index = LogIndex(path, every_bytes=4096, cache=False)
    index.build()
    target = T0 + timedelta(seconds=555)
    point = index.seek(target)
    assert point is not None and point.ts <= target
    later = [p for p in index.points if p.offset > point.offset]
    assert later and later[0].ts > target
    first = index.seek(T0 - timedelta(days=1))
    assert first is not None and first.seq == 1


def test_cache_is_used_then_rebuilt_when_stale(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    build_log(path, 300)
    LogIndex(path, every_bytes=4096).build()
    cache = Path(str(path) + ".idx")
    data = json.loads(cache.read_text())
    data["points"][1][1] = 999_999  # a cached value only the cache could have produced
    cache.write_text(json.dumps(data))
    cached = LogIndex(path, every_bytes=4096)
    cached.build()
    assert cached.points[1].seq == 999_999
    log, _ = IncidentLog.open(path, clock=FrozenClock(T0))
    with log:  # the log grew: the cache no longer matches
        log.append(NoteAdded(note_id="late", text="y", author="b"))
    fresh = LogIndex(path, every_bytes=4096)
    fresh.build()
    assert all(p.seq < 1000 for p in fresh.points)
    assert fresh.last is not None and fresh.last.seq == 301
    cache.write_text("{not json")
    broken = LogIndex(path, every_bytes=4096)
    broken.build()
    assert broken.error is None and broken.points[0].seq == 1
