"""Large sets in the dashboard: built off the loop, aged without rebuilding, prepared once."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from bench.scale import START, write_big_log
from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock, parse_rfc3339
from cockpit.domain.state import AlertRecord, IncidentState
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from cockpit.domain.views import NoCatalog, alerts_view
from cockpit.permissions import Mode, Permissions
from cockpit.screens.foreground import busy
from cockpit.screens.header import HeaderInfo
from cockpit.screens.panes import alerts as alerts_module
from cockpit.screens.panes import lag as lag_module
from cockpit.screens.panes import tenants as tenants_module
from cockpit.screens.panes.alert_table import AGE_CELL, Built, aged, build
from cockpit.screens.panes.alerts import AlertsPane
from cockpit.screens.panes.context import PaneContext
from cockpit.screens.panes.lag import LagPane, LagTable
from cockpit.screens.panes.tenants import TenantsPane, TenantTable
from cockpit.screens.panes.threaded import ASYNC_MIN
from cockpit.screens.widgets import Row, prepare_rows
from cockpit.screens.widgets._table_model import TableModel
from cockpit.session import ReplaySession


def _session(tmp_path: Path, alerts: int) -> ReplaySession:
    path = tmp_path / "big.jsonl"
    write_big_log(path, alerts, 20, 10)
    session = ReplaySession(path, SystemClock())
    session.player.seek(parse_rfc3339(START).replace(minute=31))
    return session


async def test_a_large_alert_set_is_built_off_the_loop_and_shown(tmp_path: Path) -> None:
    count = ASYNC_MIN + 500
    session = _session(tmp_path, count)
    app = CockpitApp(
        session,
        AppOptions(
            header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
        ),
    )
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.dashboard.query_one(AlertsPane)
        for _ in range(200):
            if pane.table.total_rows == count and pane._wanted is None:
                break
            await pilot.pause(0.02)
        assert pane.table.total_rows == count
        assert len(pane.rows) == count
        assert f"1 Alerts {count}" in str(pane.border_title)
        before = list(pane.table._model.rows)
        app.render_state()  # nothing was folded: the same Row objects are kept
        assert all(a is b for a, b in zip(before, pane.table._model.rows, strict=True))


def test_ageing_rewrites_only_the_age_cell(tmp_path: Path) -> None:
    session = _session(tmp_path, 30)
    state, now = session.state, session.now()
    ctx = PaneContext(state, now, DEFAULT_THRESHOLDS, NoCatalog(), 2.0)
    built = build((1, 2, 3, 4), list(state.iter_alerts()), ctx)
    same = aged(built, now + timedelta(seconds=1))  # 60 s -> 61 s: still "1m"
    assert all(a is b for a, b in zip(same, built.rows, strict=True))
    later = aged(built, now + timedelta(minutes=5))
    assert {row.cells[AGE_CELL] for row in later} == {"6m"}
    assert [r.key for r in later] == [r.key for r in built.rows]
    assert all(
        a.cells[:AGE_CELL] == b.cells[:AGE_CELL] for a, b in zip(later, built.rows, strict=True)
    )
    fresh = alerts_view(state, now + timedelta(minutes=5), policy=NoCatalog())
    assert [r.key for r in fresh] == [r.key.split("\u241f", 1)[1] for r in later]


def test_prepared_rows_match_what_set_rows_computes() -> None:
    rows = [
        Row("a", (Text("SEV-1", "bold red"), "plain", "x\x1b[31my")),
        Row("b", ("ok", Text("muted"), "z")),
    ]
    ours, theirs = TableModel(), TableModel()
    ours.set_rows(rows, prepare_rows(rows))
    theirs.set_rows(rows)
    assert theirs.cells == [None, None]  # prepared when drawn or filtered, not before
    assert [ours.cells_at(i) for i in (0, 1)] == [theirs.cells_at(i) for i in (0, 1)]
    assert [ours.search_at(i) for i in (0, 1)] == [theirs.search_at(i) for i in (0, 1)]
    assert "\x1b" not in ours.search_at(0)
    assert ours.cells_at(1)[1] is rows[1].cells[1]  # clean Text cells are kept as they are
    theirs.set_filter("sev-1")
    assert len(theirs) == 1 and theirs.row_at(0) is rows[0]


def test_prepared_rows_are_adopted_only_by_the_rows_they_were_made_for() -> None:
    rows = [Row("a", ("x", "y")), Row("b", ("z\x1b", "w"))]
    model = TableModel()
    model.set_rows(rows)
    model.cells_at(0)  # drawn meanwhile: kept
    assert not model.adopt(list(make_other(rows)), prepare_rows(rows))
    assert model.cells[1] is None
    assert model.adopt(rows, prepare_rows(rows))
    assert model.cells == prepare_rows(rows)[0] and model._search == prepare_rows(rows)[1]
    model.set_filter("z")
    assert len(model) == 1 and model.row_at(0) is rows[1]


def make_other(rows: list[Row]) -> list[Row]:
    return [Row(row.key, row.cells, row.style) for row in rows]  # equal, not the same


class OnePane(App[None]):
    def compose(self) -> ComposeResult:
        yield AlertsPane()


async def test_an_overtaken_first_build_is_shown_until_the_newer_one_lands(
    tmp_path: Path,
) -> None:
    session = _session(tmp_path, 30)
    state, now = session.state, session.now()
    ctx = PaneContext(state, now, DEFAULT_THRESHOLDS, NoCatalog(), 2.0)
    first, newer = (build(v, list(state.iter_alerts()), ctx) for v in ((1,), (2,)))
    app = OnePane()
    async with app.run_test() as pilot:
        pane = app.query_one(AlertsPane)
        pane._wanted = (2,)  # the catalog arrived: a newer build was asked for
        pane._arrived(first, prepare_rows(first.rows))  # nothing shown yet: show these
        await pilot.pause()
        assert pane.table.total_rows == 30 and pane._wanted == (2,)
        pane._arrived(newer, prepare_rows(newer.rows))
        assert pane._built is newer and pane._wanted is None
        pane._arrived(first, prepare_rows(first.rows))  # late and older: ignored
        assert pane._built is newer


async def test_a_large_tenant_set_is_built_off_the_loop_and_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = ASYNC_MIN + 500
    path = tmp_path / "tenants.jsonl"
    write_big_log(path, 30, count, 10)
    session = ReplaySession(path, SystemClock())
    session.player.seek(parse_rfc3339(START).replace(minute=31))
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    app = CockpitApp(session, options)
    built_on: list[bool] = []
    real = tenants_module.tenant_table

    def spy(version: int, state: IncidentState, thresholds: Thresholds) -> TenantTable:
        built_on.append(threading.current_thread() is threading.main_thread())
        return real(version, state, thresholds)

    monkeypatch.setattr(tenants_module, "tenant_table", spy)
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.dashboard.query_one(TenantsPane)
        for _ in range(200):
            if pane.table.total_rows == count:
                break
            await pilot.pause(0.02)
        assert pane.table.total_rows == count and len(pane.rows) == count
        assert f"4 Tenant quotas {count:,}" in str(pane.border_title)
        assert built_on and not any(built_on), built_on  # never on the loop's thread
        # Shown first, prepared for the filter just after, from the worker thread.
        model = pane.table._model
        for _ in range(300):
            if None not in model._search:
                break
            await pilot.pause(0.02)
        assert (model.cells, model._search) == tuple(map(list, prepare_rows(model.rows)))
        older = real(0, session.state, DEFAULT_THRESHOLDS)
        pane._arrived(older, prepare_rows(older.rows))  # late and older: dropped
        assert pane.table.total_rows == count and pane._shown > 0


async def test_a_large_alert_set_is_ranked_once_with_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = ASYNC_MIN + 10
    session = _session(tmp_path, count)
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    app = CockpitApp(session, options)
    policies: list[object] = []
    real = alerts_module.build

    def spy(version: tuple[int, ...], records: list[AlertRecord], ctx: PaneContext) -> Built:
        policies.append(ctx.policy)
        return real(version, records, ctx)

    monkeypatch.setattr(alerts_module, "build", spy)
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.dashboard.query_one(AlertsPane)
        for _ in range(300):
            if pane.settled(app.policy) and app.catalog_read and not busy():
                break
            await pilot.pause(0.02)
        assert app.catalog_read and pane.settled(app.policy)
        assert not isinstance(app.policy, NoCatalog)  # the shipped catalog was read
        assert policies == [app.policy]  # not once before the catalog and once after
        assert pane.table.total_rows == count and not busy()
        # Shown first, prepared for the filter just after, from the worker thread.
        model = pane.table._model
        for _ in range(300):
            if None not in model._search:
                break
            await pilot.pause(0.02)
        assert (model.cells, model._search) == tuple(map(list, prepare_rows(model.rows)))


async def test_while_the_catalog_is_read_a_large_set_says_it_is_coming(tmp_path: Path) -> None:
    count = ASYNC_MIN + 10
    session = _session(tmp_path, count)
    state, now = session.state, session.now()
    waiting = PaneContext(state, now, DEFAULT_THRESHOLDS, NoCatalog(), 2.0, 1, catalog_pending=True)
    app = OnePane()
    async with app.run_test() as pilot:
        pane = app.query_one(AlertsPane)
        pane.refresh_from(waiting)
        await pilot.pause(0.1)
        assert pane._built is None and pane.table.total_rows == 0  # nothing built yet
        assert f"{count:,} alerts: reading the alert catalog" in pane.table._empty_text
        assert f"1 Alerts {count} (ranking" in str(pane.border_title)  # never "1 Alerts 0"
        assert busy()  # the replay's background fold holds back
        # The catalog could not be read: the same stand-in policy, but nothing to wait for.
        pane.refresh_from(replace(waiting, catalog_pending=False))
        for _ in range(300):
            if pane.settled(waiting.policy) and not busy():  # released once painted
                break
            await pilot.pause(0.02)
        assert pane.table.total_rows == count and pane.settled(waiting.policy)
        assert pane.table._empty_text == alerts_module.EMPTY_TEXT
        assert f"1 Alerts {count}" in str(pane.border_title) and not busy()


class TenantPane(App[None]):
    def compose(self) -> ComposeResult:
        yield TenantsPane()


class GroupPane(App[None]):
    def compose(self) -> ComposeResult:
        yield LagPane()


async def test_a_large_group_set_is_built_off_the_loop_and_never_reads_as_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = ASYNC_MIN + 10
    path = tmp_path / "groups.jsonl"
    write_big_log(path, 3, 3, count)
    session = ReplaySession(path, SystemClock())
    session.player.seek(parse_rfc3339(START).replace(minute=31))
    ctx = PaneContext(session.state, session.now(), DEFAULT_THRESHOLDS, NoCatalog(), 2.0, 1)
    built_on: list[bool] = []
    real = lag_module.lag_table

    def spy(version: int, state: IncidentState, now: datetime, limits: Thresholds) -> LagTable:
        built_on.append(threading.current_thread() is threading.main_thread())
        return real(version, state, now, limits)

    monkeypatch.setattr(lag_module, "lag_table", spy)
    app = GroupPane()
    async with app.run_test() as pilot:
        pane = app.query_one(LagPane)
        pane.refresh_from(ctx)
        assert f"{count:,} consumer groups: sorting them" in pane.table._empty_text and busy()
        for _ in range(300):
            if pane.table.total_rows == count and not busy():
                break
            await pilot.pause(0.02)
        assert pane.table.total_rows == count and not busy()
        assert f"2 Kafka lag {count:,} groups" in str(pane.border_title)
        assert pane.table._empty_text == lag_module.EMPTY_TEXT
        assert built_on == [False]  # on a thread, once
        # The same rows, in the same order, as the view computed on the loop.
        expected = real(0, session.state, ctx.now, DEFAULT_THRESHOLDS)
        assert pane.table.keys() == [row.key for row in expected.rows]


async def test_a_large_tenant_set_being_sorted_never_reads_as_none(tmp_path: Path) -> None:
    count = ASYNC_MIN + 10
    path = tmp_path / "tenants.jsonl"
    write_big_log(path, 3, count, 3)
    session = ReplaySession(path, SystemClock())
    session.player.seek(parse_rfc3339(START).replace(minute=31))
    ctx = PaneContext(session.state, session.now(), DEFAULT_THRESHOLDS, NoCatalog(), 2.0, 1)
    app = TenantPane()
    async with app.run_test() as pilot:
        pane = app.query_one(TenantsPane)
        pane.refresh_from(ctx)
        assert f"{count:,} tenants: sorting them" in pane.table._empty_text and busy()
        for _ in range(300):
            if pane.table.total_rows == count and not busy():
                break
            await pilot.pause(0.02)
        assert pane.table.total_rows == count and not busy()
        assert pane.table._empty_text == tenants_module.EMPTY_TEXT


async def test_a_large_alert_set_is_aged_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = ASYNC_MIN + 10
    session = _session(tmp_path, count)
    ctx = PaneContext(session.state, session.now(), DEFAULT_THRESHOLDS, NoCatalog(), 2.0, 1)
    aged_on: list[bool] = []
    real = alerts_module.aged

    def spy(built: Built, now: datetime) -> list[Row]:
        aged_on.append(threading.current_thread() is threading.main_thread())
        return real(built, now)

    monkeypatch.setattr(alerts_module, "aged", spy)
    app = OnePane()
    async with app.run_test() as pilot:
        pane = app.query_one(AlertsPane)
        pane.refresh_from(ctx)
        for _ in range(300):
            if pane.settled(ctx.policy):
                break
            await pilot.pause(0.02)
        shown = list(pane.table._model.rows)
        pane.show_time(ctx.now + timedelta(seconds=1))  # "1m" still: nothing replaced
        await pilot.pause(0.3)
        assert all(a is b for a, b in zip(shown, pane.table._model.rows, strict=True))
        pane.show_time(ctx.now + timedelta(minutes=5))
        for _ in range(300):
            if pane.table._model.rows[0].cells[AGE_CELL] == "6m":
                break
            await pilot.pause(0.02)
        rows = pane.table._model.rows
        assert {row.cells[AGE_CELL] for row in rows} == {"6m"} and len(rows) == count
        assert [row.key for row in rows] == [row.key for row in shown]  # same order
        assert aged_on and not any(aged_on)  # never on the loop's thread


async def test_a_failed_build_does_not_hold_the_background_fold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _session(tmp_path, ASYNC_MIN + 10)
    ctx = PaneContext(session.state, session.now(), DEFAULT_THRESHOLDS, NoCatalog(), 2.0, 1)

    def broken(version: tuple[int, ...], records: list[AlertRecord], ctx: PaneContext) -> Built:
        raise ValueError("a bug in the view")

    monkeypatch.setattr(alerts_module, "build", broken)
    app = OnePane()
    async with app.run_test() as pilot:
        pane = app.query_one(AlertsPane)
        pane.refresh_from(ctx)
        assert busy()
        for _ in range(100):
            if not busy():
                break
            await pilot.pause(0.02)
        assert not busy() and pane._built is None  # released; nothing shown as if none fired
        assert "alerts: ranking them" in pane.table._empty_text
