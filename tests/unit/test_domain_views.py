"""Derived views: alert ordering and severity, lag trend, PostgreSQL and tenant judgements."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_fold_support import Log, alert, alerts, at, lag, tenant

from cockpit.domain.fold import fold
from cockpit.domain.metrics_views import (
    FALLING,
    FLAT,
    RISING,
    lag_rate,
    lag_view,
    pg_view,
    tenant_row,
    tenants_view,
)
from cockpit.domain.thresholds import Thresholds
from cockpit.domain.views import alerts_view, suggested_severity
from cockpit.log import events as ev


class Catalog:
    """A tiny stand-in for the alert catalog helper (it is data, not our code under test)."""

    def __init__(self) -> None:
        self.severities = {"ApiErrorRateHigh": "SEV-2", "AuditHashChainBroken": "SEV-1"}
        self.severities["Cert"] = "SEV-4"
        self.runbooks = {"ApiErrorRateHigh": "RB-001", "AuditHashChainBroken": "RB-008"}

    def severity_of(self, name: str) -> str | None:
        return self.severities.get(name)

    def runbook_of(self, name: str) -> str | None:
        return self.runbooks.get(name)


def _since(seconds: float) -> str:
    return at(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_alerts_sorted_by_severity_then_oldest_first() -> None:
    log = Log()
    items = [
        alert("new-sev2", active_since=_since(50)),
        alert("old-sev2", active_since=_since(10)),
        alert("p0", "Whatever", labels={"severity": "P0"}, active_since=_since(90)),
        alert("sev1", "AuditHashChainBroken", active_since=_since(80)),
        alert("nosev", "Unknown", labels={"severity": "critical"}),
        alert("p3", "Whatever", labels={"severity": "p3"}),
    ]
    log.add(alerts(items), 0)
    rows = alerts_view(fold(log.events), at(100), Thresholds(), Catalog())
    assert [r.key for r in rows] == ["sev1", "p0", "old-sev2", "new-sev2", "p3", "nosev"]
    assert [r.severity for r in rows] == ["SEV-1", "P0", "SEV-2", "SEV-2", "P3", None]
    assert rows[2].age_s == 90
    assert rows[2].runbook == "RB-001"
    assert rows[-1].age_s == 100  # no active_since: first seen at the observation


def test_label_severity_beats_catalog() -> None:
    log = Log()
    log.add(alerts([alert("a", labels={"severity": "sev-3"})]), 0)
    (row,) = alerts_view(fold(log.events), at(1), Thresholds(), Catalog())
    assert row.severity == "SEV-3"


def test_alert_row_target_flags_and_hostile_text() -> None:
    log = Log()
    labels = {"job": "api", "tenant": "acme\x1b[31m", "severity": "SEV-2"}
    notes = {"summary": "errors [/] high\nnow \u202e"}
    log.add(alerts([alert("a", labels=labels, annotations=notes, silenced=True)]), 0)
    (row,) = alerts_view(fold(log.events), at(5), Thresholds(), Catalog())
    assert row.target == "acme"
    assert row.summary == "errors [/] high now "
    assert (row.silenced, row.inhibited) == (True, False)


def test_suggested_severity_uses_catalog_and_skips_muted_alerts() -> None:
    log = Log()
    log.add(
        alerts(
            [
                alert("a", "ApiErrorRateHigh"),
                alert("b", "AuditHashChainBroken", silenced=True),
                alert("c", "AuditHashChainBroken", state="pending"),
                alert("d", "Cert"),
            ]
        ),
        0,
    )
    state = fold(log.events)
    assert suggested_severity(state, Catalog()) == "SEV-2"
    log.add(alerts([alert("e", "Custom", labels={"severity": "P0"})], full=False), 1)
    assert suggested_severity(fold(log.events), Catalog()) == "P0"
    assert suggested_severity(fold([]), Catalog()) is None


def _lag_log(values: list[tuple[float, float]]) -> Log:
    log = Log()
    for seconds, value in values:
        log.add(ev.KafkaLagObserved(source="k", full=False, items=(lag("g", "t", value),)), seconds)
    return log


def test_lag_view_rate_trend_and_threshold() -> None:
    log = _lag_log([(0, 1_000), (60, 7_000), (120, 13_000)])
    (row,) = lag_view(fold(log.events), at(120))
    assert round(row.rate_per_min) == 6_000
    assert (row.trend, row.over_threshold, row.history) == (RISING, True, (1_000, 7_000, 13_000))
    assert row.peak == 13_000
    tuned = lag_view(fold(log.events), at(120), Thresholds(kafka_lag=20_000))
    assert not tuned[0].over_threshold  # replay with another threshold re-derives the flag


def test_lag_view_falling_and_flat() -> None:
    falling = _lag_log([(0, 9_000), (60, 5_000), (120, 1_000)])
    assert lag_view(fold(falling.events), at(120))[0].trend == FALLING
    flat = _lag_log([(0, 500)])
    assert lag_view(fold(flat.events), at(600))[0].trend == FLAT


def test_lag_rate_ignores_samples_outside_the_window() -> None:
    samples = [(at(0), 100_000.0), (at(500), 10.0), (at(560), 70.0)]
    assert round(lag_rate(samples, at(560), 300)) == 60
    assert lag_rate([], at(0), 300) == 0.0


def test_lag_view_orders_over_threshold_then_biggest() -> None:
    log = Log()
    items = (lag("a", "t", 50), lag("b", "t", 20_000), lag("c", "t", 900), lag("d", "t", 30_000))
    log.add(ev.KafkaLagObserved(source="k", items=items), 0)
    assert [r.group for r in lag_view(fold(log.events), at(0))] == ["d", "b", "c", "a"]


def test_pg_view_ratio_threshold_and_breakdowns() -> None:
    log = Log()
    log.add(
        ev.PostgresConnectionsObserved(
            source="pg", max_connections=200, total=180, by_state={"idle": 30, "active": 150},
            by_application={"api": 120, "worker": 60}, long_running=3, idle_in_transaction_old=2,
        ),
        0,
    )  # fmt: skip
    view = pg_view(fold(log.events), at(10))
    assert view is not None
    assert (view.used, view.max_connections, view.ratio, view.over_threshold) == (
        180,
        200,
        0.9,
        True,
    )
    assert view.by_state == (("active", 150), ("idle", 30))
    assert (view.long_running, view.idle_in_tx_old, view.age_s) == (3, 2, 10)
    tuned = pg_view(fold(log.events), at(10), Thresholds(pg_usage_ratio=0.95))
    assert tuned is not None
    assert not tuned.over_threshold
    assert pg_view(fold([]), at(0)) is None


def test_tenants_flags_and_worst_first() -> None:
    log = Log()
    rows = (
        tenant("fine", 10, 100, 5_000),
        tenant("quota", 97, 100, 5_000),
        tenant("broke", 10, 100, 0),
        tenant("edge", 95, 100, 1_000),
    )
    log.add(ev.TenantQuotaObserved(source="b", items=rows), 0)
    view = tenants_view(fold(log.events))
    assert [r.tenant for r in view] == ["broke", "quota", "edge", "fine"]
    flags = {r.tenant: (r.over_quota, r.rne_low) for r in view}
    assert flags == {"broke": (False, True), "quota": (True, False), "edge": (False, False),
                     "fine": (False, False)}  # fmt: skip
    assert [r.tenant for r in tenants_view(fold(log.events), limit=2)] == ["broke", "quota"]


tenant_items = st.builds(
    lambda n, c, lim, b: tenant(f"t{n}", c, lim, b),
    st.integers(0, 10_000),
    st.integers(0, 20_000),
    st.integers(0, 20_000),
    st.integers(-500, 5_000),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(tenant_items, max_size=30), st.floats(0.5, 1.0), st.integers(0, 3_000))
def test_tenant_view_is_sorted_and_flags_match_thresholds(
    items: list[dict[str, Any]], quota: float, rne: int
) -> None:
    t = Thresholds(license_quota_ratio=quota, rne_balance_min=rne)
    log = Log()
    log.add(ev.TenantQuotaObserved(source="b", items=tuple(items)), 0)
    view = tenants_view(fold(log.events), t)
    assert [r.badness for r in view] == sorted((r.badness for r in view), reverse=True)
    for row in view:
        assert row.over_quota == (row.ratio is not None and row.ratio > quota)
        assert row.rne_low == (row.rne_balance is not None and row.rne_balance < rne)
        if row.over_quota or row.rne_low:
            assert row.badness > 1.0 or (row.rne_low and rne == 0)
    assert tenant_row({"key": "x"}, t).badness == 0.0
