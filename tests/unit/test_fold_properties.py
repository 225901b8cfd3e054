"""Properties of the fold: full snapshots and their deltas agree; checkpoints restore exactly
(replay seeks over checkpoints: test_replay_seek.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_fold_support import Log, alert, lag, scenario, tenant

from cockpit.domain.fold import Folder, fold
from cockpit.domain.state import IncidentState
from cockpit.log import events as ev

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_fold import synthetic

Snapshot = dict[str, dict[str, Any]]

ALERT_KEYS = st.sampled_from([f"a{i}" for i in range(6)])
PARTS = st.tuples(st.sampled_from(["g1", "g2"]), st.integers(0, 2))

snapshots = st.lists(
    st.fixed_dictionaries(
        {
            "alerts": st.dictionaries(ALERT_KEYS, st.sampled_from(["firing", "pending"])),
            "kafka": st.dictionaries(PARTS, st.integers(0, 50_000) | st.none()),
            "tenants": st.dictionaries(st.sampled_from("abcde"), st.integers(0, 2_000)),
        }
    ),
    min_size=1,
    max_size=8,
)


def _items(snap: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "alerts": {k: alert(k, state=s) for k, s in snap["alerts"].items()},
        "kafka": {f"{g}/t/{p}": lag(g, "t", v, p) for (g, p), v in snap["kafka"].items()},
        "tenants": {k: tenant(k, v, 1_000, v) for k, v in snap["tenants"].items()},
    }


OBS = {
    "alerts": (ev.AlertsObserved, "am"),
    "kafka": (ev.KafkaLagObserved, "k"),
    "tenants": (ev.TenantQuotaObserved, "b"),
}


def _streams(snaps: list[dict[str, Any]]) -> tuple[list[ev.Event], list[ev.Event]]:
    full, delta = Log(), Log()
    before: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in OBS}
    for i, snap in enumerate(snaps):
        now = _items(snap)
        for kind, (cls, source) in OBS.items():
            full.add(cls(source=source, items=tuple(now[kind].values())), i * 10)
            changed = tuple(v for k, v in now[kind].items() if before[kind].get(k) != v)
            gone = tuple(sorted(k for k in before[kind] if k not in now[kind]))
            delta.add(cls(source=source, full=False, items=changed, removed=gone), i * 10)
        before = now
    return full.events, delta.events


def _entities(state: IncidentState) -> dict[str, Any]:
    kafka = state.kafka.get("k")
    return {
        "alerts": {r.key: (r.item, r.first_seen, r.fired_at) for r in state.iter_alerts()},
        "resolved": sorted((r.key, r.resolved_at, r.duration_s) for r in state.resolved_alerts),
        "lags": {k: s.lag for k, s in kafka.series.items()} if kafka else {},
        "totals": {k: s.lag for k, s in kafka.totals.items()} if kafka else {},
        "tenants": dict(state.tenants.get("b", {})),
        "unknown": state.unknown_total,
    }


@settings(max_examples=100, deadline=None)
@given(snapshots)
def test_full_snapshots_and_deltas_give_the_same_entities(snaps: list[dict[str, Any]]) -> None:
    full, delta = _streams(snaps)
    assert _entities(fold(full)) == _entities(fold(delta))
    assert fold(full).unknown_total == 0


EVENTS = scenario() + [
    ev.Event(e.seq + len(scenario()), e.ts, e.type, e.data, e.prev, e.hash) for e in synthetic(300)
]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, len(EVENTS)))
def test_checkpoint_then_restore_equals_refold(split: int) -> None:
    folder = Folder()
    folder.apply_all(EVENTS[:split])
    saved = folder.checkpoint()
    saved_digest = saved.digest()
    folder.apply_all(EVENTS[split:])
    assert folder.state == fold(EVENTS)
    assert saved.digest() == saved_digest  # folding on did not leak into the checkpoint
    folder.restore(saved)
    assert folder.state == fold(EVENTS[:split])
    folder.apply_all(EVENTS[split:])
    assert folder.state.digest() == fold(EVENTS).digest()
    folder.restore(saved)  # a checkpoint can be restored more than once
    assert folder.state == fold(EVENTS[:split])


def test_restore_rejects_foreign_objects() -> None:
    folder = Folder()
    try:
        folder.restore({"not": "a checkpoint"})
    except TypeError as exc:
        assert "checkpoint" in str(exc)
    else:
        raise AssertionError("foreign checkpoint accepted")


@settings(max_examples=100, deadline=None)
@given(snapshots, st.booleans())
def test_the_usual_kafka_poll_fast_path_folds_as_the_general_path(
    snaps: list[dict[str, Any]], deltas: bool
) -> None:
    from unittest.mock import patch

    from cockpit.domain import lag as lag_fold

    full, delta = _streams(snaps)
    events = delta if deltas else full
    # The same polls again from a source that reports its own totals (partition None).
    for event in list(events):
        if event.type == ev.KafkaLagObserved.TYPE:
            items = [{**i, "key": f"{i['key']}-t", "partition": None} for i in event.data["items"]]
            removed = [f"{k}-t" for k in event.data.get("removed") or ()]
            data = {**event.data, "source": "own", "items": items, "removed": removed}
            events.append(ev.Event(event.seq, event.ts, event.type, data, event.prev, event.hash))
    fast = fold(events)
    with patch.object(lag_fold, "_known_numbers", lambda *_args: None):
        general = fold(events)
    assert _entities(fast) == _entities(general)
    assert fast.kafka_peaks == general.kafka_peaks and fast.kafka_peak == general.kafka_peak
    for source in ("k", "own"):
        k_fast, k_general = fast.kafka.get(source), general.kafka.get(source)
        assert (k_fast is None) == (k_general is None)
        if k_fast is not None and k_general is not None:
            assert k_fast.sums == k_general.sums and k_fast.known == k_general.known
            assert {k: (s.lag, list(s.history)) for k, s in k_fast.totals.items()} == {
                k: (s.lag, list(s.history)) for k, s in k_general.totals.items()
            }


def _without_histories(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: [] if k == "history" else _without_histories(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_histories(v) for v in value]
    return value


@settings(max_examples=60, deadline=None)
@given(snapshots, st.booleans())
def test_folding_without_histories_changes_nothing_else(
    snaps: list[dict[str, Any]], deltas: bool
) -> None:
    """`keep_history=False` (the export's fold) leaves the sparkline samples out, and
    only them: values, totals, peaks and everything else are the full fold's."""
    full, delta = _streams(snaps)
    events = (delta if deltas else full) + EVENTS[: len(scenario())]
    kept, lean = Folder(), Folder(keep_history=False)
    kept.apply_all(events)
    lean.apply_all(events)
    assert lean.state.to_json() == _without_histories(kept.state.to_json())
    assert lean.state.kafka_peak == kept.state.kafka_peak
    assert not any(s.history for ks in lean.state.kafka.values() for s in ks.totals.values())
    assert not any(p.history for p in lean.state.postgres.values())
    assert all(p.history for p in kept.state.postgres.values()) and kept.state.postgres
    assert "keep_history" not in kept.state.to_json()  # an option, not part of the picture
    restored = Folder(keep_history=True)
    restored.restore(lean.checkpoint())
    assert restored.state.keep_history is False  # a checkpoint keeps how it was folded
