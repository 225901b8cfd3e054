"""The panes' batch row builders give the cells of the one-row builders they replace:
tenants (hostile names, unknown numbers, a shared limit), alert ages, one-sample sparklines."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hostile_corpus import load as load_corpus

from cockpit.domain.metrics_views import TenantRow
from cockpit.domain.state import AlertRecord, IncidentState
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS
from cockpit.domain.views import NoCatalog
from cockpit.screens.panes.alert_table import alert_row, build
from cockpit.screens.panes.context import PaneContext
from cockpit.screens.panes.glyphs import SPARK, sparkline
from cockpit.screens.panes.tenants import tenant_cells, tenant_rows

NOW = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def hostile() -> list[str]:
    data = load_corpus()
    return list(dict.fromkeys(s for key, got in data.items() if key != "about" for s in got))


def test_tenant_rows_are_the_cells_of_each_tenant() -> None:
    names = hostile()
    numbers: list[float | None] = [None, 0, 0.4, 1.5, -3, 599_999.5, 600_000, 1e12, -0.2]
    view = [
        TenantRow(
            name,
            numbers[i % len(numbers)],
            (600_000, None, 0, 2.5)[i % 4],
            (None, 0.0, 0.951, 1.2, -0.1)[i % 5],
            i % 3 == 0,
            numbers[(i * 7) % len(numbers)],
            i % 4 == 0,
            float(i),
        )
        for i, name in enumerate(names * 3)
    ]
    got = tenant_rows(view, DEFAULT_THRESHOLDS)
    assert got == [tenant_cells(row, DEFAULT_THRESHOLDS) for row in view]
    assert len(got) == 3 * len(names) > 30


def test_alert_ages_written_once_are_the_ages_of_each_row() -> None:
    state = IncidentState()
    starts = [NOW - timedelta(seconds=s) for s in (5, 61, 3_700, 90_000)]
    state.alerts["am"] = {
        f"k{i}": AlertRecord(
            f"k{i}", "am",
            {"name": "A", "active_since": f"{starts[i % 4]:%Y-%m-%dT%H:%M:%SZ}"} if i % 5 else {},
            starts[i % 4], starts[i % 4], None,
        )
        for i in range(200)
    }  # fmt: skip
    ctx = PaneContext(state, NOW, DEFAULT_THRESHOLDS, NoCatalog(), 2.0)
    built = build((1, 1), list(state.iter_alerts()), ctx)
    assert built.rows == [alert_row(row) for row in built.view]
    assert {row.cells[4] for row in built.rows} == {"5s", "1m", "1h01m", "1d01h"}


def reference_sparkline(values: list[float], width: int = 10) -> str:
    recent = values[-width:]
    lo, hi = min(0.0, *recent), max(recent)
    span = hi - lo
    if span <= 0:
        return SPARK[0] * len(recent)
    top = len(SPARK) - 1
    return "".join(SPARK[min(top, max(0, round((v - lo) / span * top)))] for v in recent)


def test_a_one_sample_sparkline_is_the_scaled_one() -> None:
    for value in (0, 0.0, -0.0, 1, 7, 1e-300, 5e-324, 2.5, 10**30, -1, -1e300, 1e308):
        assert sparkline([value]) == reference_sparkline([value]), value
    assert sparkline([3.0], 10, low=0.0, high=6.0) == SPARK[4]  # bounds given: scaled
    for odd in (math.inf, -math.inf, math.nan):  # as before: the general path decides
        try:
            shown: str | None = sparkline([odd])
        except (ValueError, OverflowError):
            shown = None
        try:
            expected: str | None = reference_sparkline([odd])
        except (ValueError, OverflowError):
            expected = None
        assert shown == expected, odd


def test_a_context_moved_to_a_new_time_keeps_every_other_field() -> None:
    from dataclasses import fields, replace

    from cockpit.domain.thresholds import Thresholds

    ctx = PaneContext(IncidentState(), NOW, Thresholds(idle_in_tx_age_s=7), NoCatalog(), 3.0, 41,
                      catalog_pending=True, replay=True)  # fmt: skip
    later = NOW + timedelta(seconds=1)
    # Every field differs from its default, so one that `at` forgot would show here.
    assert all(getattr(ctx, f.name) != f.default for f in fields(PaneContext) if f.name != "now")
    assert ctx.at(later) == replace(ctx, now=later)
