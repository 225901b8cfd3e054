"""The fast alert rows are the reference rows: same values, hostile strings and odd shapes
included, whatever the catalog says and however many alerts share a name or a start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hostile_corpus import load as load_corpus

from cockpit.domain.alert_rows import AlertRow, PolicyMemo, fast_rows, reference_row
from cockpit.domain.state import AlertRecord, IncidentState
from cockpit.domain.views import NoCatalog, alerts_view

NOW = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


class Catalog:
    """A catalog that knows a few names, one of them with a hostile runbook id."""

    def __init__(self, known: dict[str, tuple[str | None, str | None]]) -> None:
        self.known = known
        self.asked = 0

    def severity_of(self, name: str) -> str | None:
        self.asked += 1
        return self.known.get(name, (None, None))[0]

    def runbook_of(self, name: str) -> str | None:
        return self.known.get(name, (None, None))[1]


class Label(str):
    """A str subclass (a source may hand one over): read as the string it holds."""


def hostile() -> list[str]:
    data = load_corpus()
    return list(dict.fromkeys(s for key, got in data.items() if key != "about" for s in got))


def record(i: int, item: Any) -> AlertRecord:
    seen = NOW - timedelta(minutes=i % 7)
    return AlertRecord(f"k{i}", "am", item, seen, seen, seen if i % 2 else None)


def items() -> list[Any]:
    texts = hostile()
    shapes: list[Any] = []
    for i, text in enumerate(texts):
        shapes.append({
            "name": text, "state": text, "active_since": text,
            "labels": {"tenant": text, "severity": text, "alertname": text},
            "annotations": {"summary": text, "description": text},
        })  # fmt: skip
        shapes.append({
            "name": "RneBalanceLow", "state": "firing", "active_since": "2026-03-01T02:00:00Z",
            "labels": {"service": text * 5, "severity": ["SEV-1"] if i % 2 else "sev 2"},
            "annotations": {"description": text * 40}, "silenced": text, "inhibited": i % 3,
        })  # fmt: skip
    odd: list[Any] = [
        {},
        {"name": 7, "state": None, "active_since": 12, "labels": None, "annotations": "x"},
        {"name": None, "labels": ["tenant"], "annotations": {"summary": 5}},
        {"name": "KafkaLagHigh", "labels": {"tenant": 0, "job": 3.5, "severity": None}},
        {"name": "KafkaLagHigh", "labels": {"instance": "h:9", "severity": "P1"}},
        {"name": "KafkaLagHigh", "labels": {"severity": "SEV-0"}, "state": "pending"},
        {"name": "x" * 300, "labels": {"tenant": "t" * 100}, "annotations": {"summary": "s" * 250}},
        {"name": "Late", "active_since": "2027-01-01T00:00:00Z", "labels": {}},
        {"name": "Bad", "active_since": "not a time", "labels": {"consumergroup": "g"}},
        {"name": "Bad", "active_since": "not a time", "state": 5, "annotations": {}},
        {"name": "Bad", "active_since": "not a time", "state": ["firing"]},
        {"name": "Sub", "labels": {"severity": Label("SEV-1"), "tenant": Label("t\x00")}},
    ]
    # Many alerts sharing names and starts, as Alertmanager sends them.
    common = [
        {"name": ("RneBalanceLow", "KafkaLagHigh", "Odd\x1b[31m")[i % 3],
         "active_since": ("2026-03-01T02:59:00Z", "2026-03-01T01:00:00+00:00")[i % 2],
         "labels": {"tenant": f"tenant-{i % 50}"}, "annotations": {"summary": f"s {i}"}}
        for i in range(300)
    ]  # fmt: skip
    return shapes + odd + common


def test_fast_rows_are_the_reference_rows() -> None:
    catalog = Catalog({
        "RneBalanceLow": ("SEV-2", "RB-001"), "KafkaLagHigh": ("p0", "\x1b]8;;x\x07RB"),
        "Odd\x1b[31m": ("nonsense", None),
    })  # fmt: skip
    for policy in (catalog, NoCatalog()):
        records = [record(i, item) for i, item in enumerate(items())]
        fast = fast_rows(records, NOW, PolicyMemo(policy))
        memo = PolicyMemo(policy)
        reference = [reference_row(rec, NOW, memo) for rec in records]
        assert len(fast) == len(reference) > 300
        for got, want in zip(fast, reference, strict=True):
            assert type(got) is AlertRow
            assert got._asdict() == want._asdict(), want.key
            assert [type(v) for v in got] == [type(v) for v in want], want.key


def test_the_catalog_is_asked_once_per_name() -> None:
    catalog = Catalog({"RneBalanceLow": ("SEV-2", None)})
    item = {
        "name": "RneBalanceLow",
        "labels": {"tenant": "t"},
        "active_since": "2026-03-01T02:00:00Z",
    }
    state = IncidentState()
    state.alerts["am"] = {f"k{i}": record(i, dict(item)) for i in range(1_000)}
    rows = alerts_view(state, NOW, policy=catalog)
    assert len(rows) == 1_000 and catalog.asked == 1
    assert {(r.severity, r.rank, r.age_s) for r in rows} == {("SEV-2", 1, 3600.0)}


def test_the_view_is_ranked_then_oldest_then_by_name_and_key() -> None:
    """Three stable sorts give the order of one sort on (rank, -age, name, key)."""
    catalog = Catalog({"A": ("SEV-1", None), "B": ("SEV-2", None), "C": ("P3", None)})
    state = IncidentState()
    state.alerts["am"] = {
        f"k{i:03d}": record(i, {
            "name": "ABCD"[i % 4] + ("x" if i % 5 else ""),
            "labels": {"severity": "sev-2"} if i % 7 == 0 else {},
            "active_since": f"2026-03-01T0{i % 3}:00:00Z",
        })
        for i in range(400, 0, -1)
    }  # fmt: skip
    state.alerts["other"] = {"k001": record(1, {"name": "A"}), "k002": record(2, {"name": "A"})}
    rows = alerts_view(state, NOW, policy=catalog)
    assert rows == sorted(rows, key=lambda r: (r.rank, -r.age_s, r.name, r.key))
    assert len({(r.rank, r.age_s, r.name) for r in rows}) < len(rows) / 4  # many ties
