"""Incident-log library benchmarks: append p99 and the volume of a 4 h recording.

Usage: python bench/bench_log.py [--out bench/results/log.json]
Opening, seeking and folding a big log are timed on the shipped `cockpit replay`, `cockpit
verify` and `cockpit export` by bench/replay_bench.py, not on library calls here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.clock import SystemClock
from cockpit.log.codec import encode
from cockpit.log.delta import ObservationRecorder
from cockpit.log.events import ZERO_HASH, Event, LogOpened, NoteAdded
from cockpit.log.store import IncidentLog
from cockpit.sources.base import Snapshot

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


class Counter:
    """A trivial Foldable: counts events per type (the domain fold may replace it)."""

    def __init__(self) -> None:
        self.by_type: dict[str, int] = {}

    def apply(self, event: Event) -> None:
        self.by_type[event.type] = self.by_type.get(event.type, 0) + 1

    def checkpoint(self) -> object:
        return dict(self.by_type)

    def restore(self, checkpoint: object) -> None:
        assert isinstance(checkpoint, dict)
        self.by_type = dict(checkpoint)


def scenario(polls: int, seed: int = 1) -> Iterator[tuple[datetime, Snapshot]]:
    """Demo-like polls every 2 s: 20 alerts, 30 consumer groups (~10 move per poll),
    one pg snapshot changing each poll, 200 tenants changing rarely."""
    rng = random.Random(seed)
    alerts: dict[str, dict[str, Any]] = {
        f"fp{i:04d}": {"key": f"fp{i:04d}", "name": f"Alert{i % 7}", "state": "firing",
                       "labels": {"service": f"svc-{i % 5}", "severity": "warning"},
                       "active_since": "2026-03-01T02:50:00Z", "value": 1.0}
        for i in range(20)
    }  # fmt: skip
    lags = {f"g{i:02d}/orders": 100 * i for i in range(30)}
    tenants: dict[str, dict[str, Any]] = {
        f"t{i:03d}": {"key": f"t{i:03d}", "tenant": f"t{i:03d}", "checks_month": 1000 * i,
                      "license_limit": 500_000, "rne_balance": 200}
        for i in range(200)
    }  # fmt: skip
    for n in range(polls):
        at = T0 + timedelta(seconds=2 * n)
        if n % 300 == 299:  # an alert changes every ~10 min
            key = rng.choice(list(alerts))
            alerts[key] = {**alerts[key], "value": rng.random()}
        for group in rng.sample(list(lags), 10):
            lags[group] += rng.randint(-50, 500)
        if n % 15 == 14:  # one tenant's counter moves every 30 s
            key = rng.choice(list(tenants))
            tenants[key] = {**tenants[key], "checks_month": tenants[key]["checks_month"] + 1}
        kafka = tuple({"key": k, "group": k.split("/")[0], "topic": "orders", "partition": None,
                       "lag": v} for k, v in lags.items())  # fmt: skip
        pg = {"max_connections": 200, "total": 80 + rng.randint(0, 40),
              "by_state": {"active": rng.randint(5, 30), "idle": 50},
              "by_application": {"api": 40, "worker": 30},
              "long_running": rng.randint(0, 3)}  # fmt: skip
        yield at, Snapshot("alertmanager", "alerts", tuple(alerts.values()), 12.5)
        yield at, Snapshot("prometheus", "kafka", kafka, 8.1)
        yield at, Snapshot("postgres", "postgres", (pg,), 4.2)
        yield at, Snapshot("postgres", "tenants", tuple(tenants.values()), 21.0)


def write_scenario(path: Path, polls: int, stop_bytes: int | None = None) -> int:
    """Write the scenario through the recorder and codec (no fsync); returns events written.

    With `stop_bytes`, the recorded payloads are replayed in shifted cycles until the file
    is that big (the recorder's work is done once, only encoding repeats).
    """
    header = LogOpened(1, "INC-BENCH", "bench", "bench", "0", "sha256", "recording")
    enc = encode(1, T0, header.TYPE, header.to_data(), ZERO_HASH, None)
    recorder = ObservationRecorder()
    payloads = [(at, recorder.record(snap, at)) for at, snap in scenario(polls)]
    rows = [(at, p.TYPE, p.to_data()) for at, p in payloads]
    seq, prev, size, cycle = 1, enc.event.hash, len(enc.line), 0
    with path.open("wb") as out:
        out.write(enc.line)
        while True:
            shift = timedelta(seconds=2 * polls * cycle)
            for at, type_, data in rows:
                seq += 1
                enc = encode(seq, at + shift, type_, data, prev, None)
                out.write(enc.line)
                prev, size = enc.event.hash, size + len(enc.line)
                if stop_bytes is not None and size >= stop_bytes:
                    return seq
            if stop_bytes is None:
                return seq
            cycle += 1


def bench_append(tmp: Path, count: int = 2000) -> dict[str, float]:
    log, _ = IncidentLog.open(tmp / "append.jsonl", clock=SystemClock())
    times = []
    with log:
        for i in range(count):
            start = time.perf_counter()
            log.append(NoteAdded(note_id=f"n{i}", text="checked the consumer lag", author="b"))
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"append_p50_ms": times[len(times) // 2], "append_p99_ms": times[int(len(times) * 0.99)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "log.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-") as name:
        tmp = Path(name)
        results: dict[str, float] = bench_append(tmp)
        polls = 4 * 3600 // 2
        events = write_scenario(tmp / "4h.jsonl", polls)
        results["volume_4h_mb"] = (tmp / "4h.jsonl").stat().st_size / 2**20
        results["volume_4h_events"] = events
    budgets = {"append_p99_ms": 20.0, "volume_4h_mb": 20.0}
    for key, value in results.items():
        limit = budgets.get(key)
        verdict = "" if limit is None else ("  ok" if value <= limit else f"  OVER {limit}")
        print(f"{key:22} {value:12.3f}{verdict}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"budgets": budgets, "results": results}, indent=2) + "\n")
    return 0 if all(results[k] <= v for k, v in budgets.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
