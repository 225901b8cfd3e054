"""State is pushed, not polled: a burst of appends renders once, an idle log renders nothing,
the 1 Hz tick moves only ages and clocks, and no screen runs a timer of its own."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widget import Widget

import cockpit.app
import cockpit.screens
from bench.looplag import LoopLag, first_screen
from bench.scale import START as BIG_START
from bench.scale import write_big_log
from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock, parse_rfc3339
from cockpit.log.events import (
    AlertsObserved,
    IncidentDeclared,
    NoteAdded,
    Payload,
    SourcePolled,
    SourcesConfigured,
)
from cockpit.log.store import IncidentLog
from cockpit.screens.header import StatusBar
from cockpit.screens.panes import AlertsPane, Pane, alert_table, lag, postgres, tenants
from cockpit.screens.state import StateAdvanced, StateView
from cockpit.session import LiveSession, ReplaySession

START = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)


class CountingApp(CockpitApp):
    """The cockpit, counting its renders (how many times state was handed to the screens)."""

    renders = 0

    def render_state(self) -> None:
        self.renders += 1
        super().render_state()


def make_app(tmp_path: Path) -> tuple[CountingApp, LiveSession, FrozenClock]:
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    alert = {
        "key": "fp-1", "name": "OcrServiceDown", "state": "firing", "labels": {},
        "active_since": (START - timedelta(seconds=30)).isoformat(),
    }  # fmt: skip
    session.append(AlertsObserved(source="am", items=(alert,)))
    return CountingApp(session, AppOptions(author="ana@bastion"), clock=clock), session, clock


async def settled(app: CountingApp, pilot: object, session: LiveSession) -> None:
    """Until the app has started the session and the dashboard shows its revision."""
    log = Path(session.log_path)
    for _ in range(100):
        started = '"sources.configured"' in log.read_text(encoding="utf-8")
        revision = session.revision
        if started and app.dashboard.revision == revision and app._posted == revision:
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError("the dashboard never caught up with the session")


def test_a_newer_state_message_replaces_an_older_one() -> None:
    assert StateAdvanced(2).can_replace(StateAdvanced(1))
    assert not StateAdvanced(2).can_replace(NoteAdded.__new__(NoteAdded))  # type: ignore[arg-type]


async def test_the_dashboard_is_the_only_screen_under_the_others(tmp_path: Path) -> None:
    """No blank default screen is built beneath it (drawn for nothing, kept for the life of
    the app); its stylesheet is read all the same (the wide 2x2 grid comes from it)."""
    app, session, _clock = make_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        assert app.screen_stack == [app.dashboard]
        panes = app.dashboard.query_one("#panes").styles
        assert panes.layout is not None and panes.layout.name == "grid"
        assert (panes.grid_size_columns, panes.grid_size_rows) == (2, 2)


async def test_a_burst_of_appends_is_rendered_once(tmp_path: Path) -> None:
    app, session, _clock = make_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        before = app.renders
        for n in range(50):
            session.append(NoteAdded(f"n-{n}", f"note {n}", "ana@bastion"))
            app.advance()  # what every own append does; 50 messages queued
        await pilot.pause()
        await settled(app, pilot, session)
        assert app.renders - before <= 2, app.renders - before
        assert len(session.state.notes) == 50


async def test_an_unchanged_log_renders_nothing(tmp_path: Path) -> None:
    app, session, _clock = make_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        before, revision = app.renders, session.revision
        await pilot.pause(0.8)  # three pumps of the log: nothing was written
        assert (app.renders, session.revision) == (before, revision)
        other, _report = IncidentLog.open(session.log_path, clock=FrozenClock(START))
        try:
            other.append(NoteAdded("bob-1", "restarting kyc", "bob@bastion"))
        finally:
            other.close()
        for _ in range(50):  # the next pump (0.25 s) sees the file grow
            if session.revision > revision:
                break
            await pilot.pause(0.05)
        await settled(app, pilot, session)
        assert session.revision == revision + 1
        assert "bob-1" in session.state.notes
        assert app.renders == before + 1


async def test_the_tick_moves_only_ages_and_clocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, session, clock = make_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        alerts = app.dashboard.query_one(AlertsPane)
        assert "30s" in str(alerts.table.render_line(1).text)

        def never(*_args: object, **_kw: object) -> None:
            raise AssertionError("the tick rebuilt a view")

        for module, name in ((lag, "lag_view"), (tenants, "tenants_view"),
                             (postgres, "pg_view"), (alert_table, "alerts_view")):  # fmt: skip
            monkeypatch.setattr(module, name, never)
        refreshed: list[Widget] = []
        real = Widget.refresh

        def spy(self: Widget, *args: object, **kwargs: object) -> Widget:
            refreshed.append(self)
            return real(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Widget, "refresh", spy)
        renders = app.renders
        clock.advance(1)
        app._tick()
        monkeypatch.undo()
        assert app.renders == renders
        assert alerts.table in refreshed, "the age of the alert moved: its line must repaint"
        assert {type(w) for w in refreshed} <= {type(alerts.table), StatusBar}, refreshed
        assert all(w is alerts.table for w in refreshed if not isinstance(w, StatusBar | Pane))
        await pilot.pause()
        assert "31s" in str(alerts.table.render_line(1).text)


async def test_a_moving_clock_repaints_its_line_without_a_relayout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header (and a replay's transport bar) is one fixed line: the incident clock that
    moves every second repaints that line; laying the whole screen out took ~10 ms a second."""
    app, session, clock = make_app(tmp_path)
    session.append(IncidentDeclared("INC-7", "OCR down", "SEV-2", actor="ana@bastion"))
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        layouts: list[Widget] = []
        real = Widget.refresh

        def spy(self: Widget, *args: object, **kwargs: object) -> Widget:
            if kwargs.get("layout"):
                layouts.append(self)
            return real(self, *args, **kwargs)  # type: ignore[arg-type]

        before = app.status_bar._last
        monkeypatch.setattr(Widget, "refresh", spy)
        clock.advance(1)
        app._tick()
        monkeypatch.undo()
        assert app.status_bar._last != before, "the incident clock did not move"
        assert layouts == []


async def test_the_transport_bar_moves_without_a_relayout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "small.jsonl"
    write_big_log(path, 20, 5, 5)
    clock = FrozenClock(START)
    app = CockpitApp(ReplaySession(path, clock), AppOptions(), clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.2)
        bar = app.transport
        assert bar is not None
        layouts: list[Widget] = []
        real = Widget.refresh

        def spy(self: Widget, *args: object, **kwargs: object) -> Widget:
            if self is bar and kwargs.get("layout"):
                layouts.append(self)
            return real(self, *args, **kwargs)  # type: ignore[arg-type]

        before = bar._last
        monkeypatch.setattr(Widget, "refresh", spy)
        await pilot.press("full_stop")  # one event on
        await pilot.pause(0.3)
        monkeypatch.undo()
        assert bar._last != before, "the playhead did not move"
        assert layouts == []


class WakeCountingApp(CockpitApp):
    """The cockpit, counting the wake-ups of its two timers (the pump and the 1 Hz tick)."""

    wakes = 0

    def _tick(self) -> None:
        self.wakes += 1
        super()._tick()

    def _pump(self) -> None:
        self.wakes += 1
        super()._pump()


async def test_a_paused_replay_wakes_nothing_until_it_plays(tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    write_big_log(path, 20, 5, 5)
    clock = FrozenClock(START)
    app = WakeCountingApp(ReplaySession(path, clock), AppOptions(), clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(1.6)  # a tick and six pumps would have run
        assert app.wakes == 0
        await pilot.press("space")
        await pilot.pause(1.2)
        assert app.wakes > 0
        await pilot.press("space")
        await pilot.pause(0.3)
        paused = app.wakes
        await pilot.pause(1.2)
        assert app.wakes == paused


async def test_a_screen_shown_again_gets_the_state_it_missed(tmp_path: Path) -> None:
    app, session, _clock = make_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        app.action_command()
        await pilot.pause()
        command = app.screen
        assert isinstance(command, StateView) and command.revision == session.revision
        app.push_screen(Screen())  # not a state view: the command screen is hidden
        await pilot.pause()
        session.append(NoteAdded("n-hidden", "written while hidden", "ana@bastion"))
        app.advance()
        await pilot.pause()
        assert command.revision < session.revision
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert app.screen is command and command.revision == session.revision


def test_a_replay_revision_grows_on_every_move_of_the_playhead(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    write_big_log(path, 20, 5, 5)
    session = ReplaySession(path, FrozenClock(START))
    seen = [session.revision, session.revision]
    assert seen[0] == seen[1]  # reading it changes nothing
    session.player.seek(parse_rfc3339(BIG_START).replace(minute=31))
    seen.append(session.revision)
    session.player.seek(parse_rfc3339(BIG_START))  # back to the start: still grows
    seen.append(session.revision)
    assert seen[2] > seen[1] and seen[3] > seen[2]


def test_no_screen_runs_a_timer_of_its_own() -> None:
    root = Path(cockpit.screens.__file__).resolve().parent
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "set_interval(" in line or "set_timer(" in line
    ]
    assert found == []
    app_source = Path(cockpit.app.__file__).read_text(encoding="utf-8")
    # The log check (a stat of its size, where the file is not watched) and the 1 Hz tick
    # (which a render pushes back): the only two.
    assert app_source.count("set_interval(") == 1
    assert "set_interval(PUMP_S if replay else OTHERS_S, self._pump)" in app_source
    assert app_source.count("Ticker(") == 1
    assert "Ticker(TICK_S, self._tick, self._handle_exception)" in app_source


async def test_the_loop_lag_probe_sees_a_blocked_loop() -> None:
    async with LoopLag() as lag:
        await asyncio.sleep(0.03)
        assert lag.max_ms < 25.0, lag.max_ms  # an idle loop wakes the probe on time
        time.sleep(0.08)  # a callback holding the loop
        await asyncio.sleep(0.03)
    assert lag.max_ms >= 60.0, lag.max_ms


async def test_ten_thousand_alerts_fill_the_screen_without_holding_the_loop(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.jsonl"
    write_big_log(path, 10_000, 5_000, 2_000)
    got = await first_screen(path, 10_000, 5_000, 2_000)
    # Generous bounds (a shared test machine); `python -m bench.looplag` measures the budget.
    assert got["stall_filling_ms"] < 250.0, got
    assert got["first_screen_ms"] < 10_000.0, got


class TickCountingApp(CockpitApp):
    """The cockpit, counting its 1 Hz ticks and the log checks the pump timer makes."""

    ticks = 0

    def _tick(self) -> None:
        self.ticks += 1
        super()._tick()


def tick_counting_app(path: Path) -> tuple[TickCountingApp, LiveSession]:
    """A live cockpit on a new log file at `path`, with no source."""
    log, _report = IncidentLog.open(path, clock=FrozenClock(START))
    session = LiveSession(log, lambda: ([], SourcesConfigured()), FrozenClock(START))
    return TickCountingApp(session, AppOptions()), session


async def test_a_watched_log_wakes_the_app_without_a_timer(tmp_path: Path) -> None:
    """Live on a log file: no timer checks the file; a line another cockpit appends is read
    at once (the tick, which checks it too, is held off for the whole test)."""
    path = tmp_path / "inc.jsonl"
    app, session = tick_counting_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app._watch is not None and app._pump_timer is None
        app._ticker.stop()
        other, _ = IncidentLog.open(path, clock=FrozenClock(START + timedelta(seconds=5)))
        try:
            other.append(NoteAdded("bob-1", "bob: restarting kyc-consumer-2", "bob@bastion"))
        finally:
            other.close()
        for _ in range(50):
            if "bob-1" in session.state.notes:
                break
            await pilot.pause(0.01)
        assert "bob-1" in session.state.notes
        assert app.ticks == 0


async def test_a_render_pushes_the_next_tick_back(tmp_path: Path) -> None:
    app, session = tick_counting_app(tmp_path / "inc.jsonl")
    session.append(IncidentDeclared("INC-7", "OCR down", "SEV-2", actor="ana@bastion"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app._ticker.interval_s = 0.4
        app._ticker.defer()
        for _ in range(8):  # a render every 0.1 s shows the time: no tick comes due
            await pilot.pause(0.1)
            app.render_state()
        assert app.ticks == 0
        await pilot.pause(0.7)
        assert app.ticks >= 1


def test_only_a_file_that_is_all_that_moves_the_session_is_watched(tmp_path: Path) -> None:
    """A drill's source log is fed on its clock, an outbox's posts come from its workers: the
    pump's timer stays for both. A closed log has nothing to watch."""
    from cockpit.drill_session import DrillSession

    path = tmp_path / "inc.jsonl"
    log, _report = IncidentLog.open(path, clock=FrozenClock(START))
    session = LiveSession(log, lambda: ([], SourcesConfigured()), FrozenClock(START))
    assert session.watch_path() == path
    assert DrillSession.watch_path(session) is None
    session.outbox = object()  # type: ignore[assignment]
    assert session.watch_path() is None
    session.outbox = None
    log.close()
    assert session.watch_path() is None


PG = {"name": "pg", "kind": "postgres", "interval_s": 2.0}


def pg_app(tmp_path: Path) -> tuple[TickCountingApp, LiveSession, FrozenClock]:
    """A live cockpit whose one source (PostgreSQL, every 2 s) has just polled fine."""
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured(sources=(PG,))), clock)
    return TickCountingApp(session, AppOptions(), clock=clock), session, clock


async def polled(app: CockpitApp, session: LiveSession, pilot: Any, *more: Payload) -> None:
    """The app running, then a good poll of the source (and `more`) recorded and shown."""
    await pilot.pause()
    session.append(SourcePolled("pg", 3.0))
    for payload in more:
        session.append(payload)
    app._pump()
    await pilot.pause()


def next_tick_s(app: CockpitApp) -> float:
    handle = app._ticker._handle
    assert handle is not None, "no tick is scheduled"
    return handle.when() - asyncio.get_running_loop().time()


async def test_an_idle_dashboard_sleeps_until_its_source_could_turn_stale(
    tmp_path: Path,
) -> None:
    """Nothing on view counts seconds: no tick until the source would be stale (2 x 2 s
    after its poll), and that tick shows it stale: a dead source never looks live."""
    app, session, clock = pg_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await polled(app, session, pilot)
        pane = app.dashboard.pane(3)
        assert pane.status.status == "ok"
        assert 3.5 < next_tick_s(app) <= 4.1
        clock.advance(3)
        app.render_state()
        assert 0.5 < next_tick_s(app) <= 1.1  # the deadline comes nearer with the time
        clock.advance(1.1)  # the poll that was due never came
        assert app._tick() is None  # a stale line counts its age: every second again
        assert pane.status.status == "stale"
        assert "STALE" in pane.status.text
        assert "pg stale" in app.status_bar._last.plain  # type: ignore[union-attr]


async def test_an_alert_or_a_clock_on_view_ticks_every_second(tmp_path: Path) -> None:
    app, session, _clock = pg_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        declared = IncidentDeclared("INC-7", "OCR down", "SEV-2", actor="ana@bastion")
        await polled(app, session, pilot, declared)
        assert next_tick_s(app) <= 1.0  # the incident's clock
    (tmp_path / "alerts").mkdir()
    app, session, _clock = make_app(tmp_path / "alerts")
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        assert next_tick_s(app) <= 1.0  # the alert's Age column


async def test_another_screen_keeps_the_one_second_tick(tmp_path: Path) -> None:
    app, session, _clock = pg_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await polled(app, session, pilot)
        assert next_tick_s(app) > 3.0
        await pilot.press("c")  # incident command: a screen of its own, with its own clocks
        await pilot.pause()
        app.render_state()
        assert next_tick_s(app) <= 1.0


async def test_the_tick_keeps_a_shared_logs_people_in_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tick redraws the header as a render does: with the shared store's status (it
    dropped who is here and the offline warning for a second after each render)."""
    from cockpit.log.pgpresence import Present

    app, session, clock = make_app(tmp_path)
    # What a store-backed log answers (cockpit/log/pgstore.py); the file log has no such part.
    monkeypatch.setattr(session.log, "status", lambda: "shared log offline since 03:00", False)
    monkeypatch.setattr(session.log, "present", lambda: [Present("bastion-1", "alice", "")], False)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(app, pilot, session)
        app.render_state()
        assert "here: alice@bastion-1" in app.status_bar._last.plain  # type: ignore[union-attr]
        clock.advance(1)
        app._tick()
        header = app.status_bar._last.plain  # type: ignore[union-attr]
        assert "here: alice@bastion-1" in header and "offline since 03:00" in header
