"""Benchmark: fold 1 M synthetic events (mostly observation deltas); replay seeks are measured on
the shipped command by bench/replay_bench.py."""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.domain.fold import fold
from cockpit.domain.metrics_views import lag_view, tenants_view
from cockpit.domain.state import IncidentState
from cockpit.domain.views import alerts_view
from cockpit.log import events as ev

T0 = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)
RESULTS = Path(__file__).parent / "results" / "fold.json"


def _event(seq: int, payload: ev.Payload) -> ev.Event:
    ts = T0 + timedelta(milliseconds=50 * seq)
    return ev.Event(seq, ts, payload.TYPE, payload.to_data(), "p", "h")


def synthetic(count: int, seed: int = 7) -> Iterator[ev.Event]:
    """A stream shaped like a busy live log: deltas of 1-4 items, polls, some notes."""
    rng = random.Random(seed)
    groups = [f"group-{i}" for i in range(200)]
    tenants = [f"tenant-{i}" for i in range(5_000)]
    yield _event(1, ev.LogOpened(1, "INC-1", "bastion", "oncall", "0.1"))
    for seq in range(2, count + 1):
        roll = rng.random()
        if roll < 0.35:
            items = tuple(
                {"key": f"{g}/orders/{p}", "group": g, "topic": "orders", "partition": p,
                 "lag": rng.randint(0, 50_000)}
                for g in rng.sample(groups, rng.randint(1, 3)) for p in (rng.randint(0, 5),)
            )  # fmt: skip
            payload: ev.Payload = ev.KafkaLagObserved(source="kafka", full=False, items=items)
        elif roll < 0.6:
            n = rng.randint(0, 300)
            items = tuple(
                {"key": f"fp{n}", "name": "KafkaConsumerLagHigh", "state": "firing",
                 "labels": {"severity": "SEV-3", "consumergroup": f"group-{n % 200}"}}
                for _ in range(rng.randint(1, 2))
            )  # fmt: skip
            removed = (f"fp{rng.randint(0, 300)}",) if rng.random() < 0.3 else ()
            payload = ev.AlertsObserved(source="am", full=False, items=items, removed=removed)
        elif roll < 0.8:
            t = rng.choice(tenants)
            items = (
                {"key": t, "tenant": t, "checks_month": rng.randint(0, 10_000),
                 "license_limit": 10_000, "rne_balance": rng.randint(0, 5_000)},
            )  # fmt: skip
            payload = ev.TenantQuotaObserved(source="billing", full=False, items=items)
        elif roll < 0.97:
            payload = ev.SourcePolled(source=rng.choice(["am", "kafka", "billing"]), duration_ms=12)
        elif roll < 0.99:
            payload = ev.PostgresConnectionsObserved(
                source="pg", max_connections=200, total=rng.randint(50, 199),
                by_state={"active": 20, "idle": 40}, by_application={"api": 30},
            )  # fmt: skip
        else:
            payload = ev.NoteAdded(note_id=f"n{seq}", text="looking at lag", author="ana")
        yield _event(seq, payload)


def _best(fn: Callable[[], object], runs: int) -> float:
    """Best CPU time of `runs` calls (CPU time: the bench host is shared and its load varies)."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def views_figures() -> dict[str, float]:
    """ms to build each pane's view at the DESIGN scale (10k alerts, 5k tenants, 2k groups)."""
    alerts = tuple(
        {"key": f"a{i}", "name": "ApiErrorRateHigh", "state": "firing",
         "labels": {"severity": "SEV-2", "tenant": f"t{i}"}, "annotations": {"summary": "5xx"},
         "active_since": "2025-11-10T13:00:00Z"}
        for i in range(10_000)
    )  # fmt: skip
    tenants = tuple(
        {"key": f"t{i}", "tenant": f"t{i}", "checks_month": i, "license_limit": 5_000,
         "rne_balance": i % 3_000}
        for i in range(5_000)
    )  # fmt: skip
    events = [
        _event(1, ev.AlertsObserved(source="am", items=alerts)),
        _event(2, ev.TenantQuotaObserved(source="billing", items=tenants)),
    ]
    for k in range(60):
        items = tuple(
            {"key": f"g{g}/t", "group": f"g{g}", "topic": "t", "partition": None, "lag": g * k}
            for g in range(2_000)
        )
        events.append(_event(3 + k * 40, ev.KafkaLagObserved(source="kafka", items=items)))
    state = fold(events)
    now = events[-1].ts
    return {
        "alerts_view_10k_ms": round(_best(lambda: alerts_view(state, now), 5) * 1000, 1),
        "tenants_view_5k_ms": round(_best(lambda: tenants_view(state), 5) * 1000, 1),
        "tenants_view_5k_top50_ms": round(
            _best(lambda: tenants_view(state, limit=50), 5) * 1000, 1
        ),
        "lag_view_2k_groups_ms": round(_best(lambda: lag_view(state, now), 5) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="fold runs (best is kept)")
    args = parser.parse_args()

    events = list(synthetic(args.events))
    # The event list is input, not fold work: keep the collector from rescanning it.
    gc.collect()
    gc.freeze()
    holder: list[IncidentState] = []
    fold_cpu = _best(lambda: holder.append(fold(events)), args.runs)
    state = holder[-1]
    started = time.perf_counter()
    fold(events)
    fold_wall = time.perf_counter() - started

    result = {
        "events": len(events),
        "fold_cpu_s": round(fold_cpu, 3),
        "events_per_cpu_s": round(len(events) / fold_cpu),
        "fold_wall_s": round(fold_wall, 3),
        "alerts": state.alert_count(),
        "unknown": state.unknown_total,
        **views_figures(),
    }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
