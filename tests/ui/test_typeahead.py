"""Keys typed ahead (a burst read at once, as over a slow SSH link) land where they were aimed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from textual.events import Key
from textual.pilot import Pilot
from textual.widgets import Input, Select

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.log.events import IncidentDeclared, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.dialogs import NoteDialog
from cockpit.screens.incident import IncidentDialog
from cockpit.screens.panes.filter import FilterBar
from cockpit.session import LiveSession

START = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)


def make_app(tmp_path: Path, *, declared: bool = True) -> tuple[CockpitApp, Path]:
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    if declared:
        session.append(IncidentDeclared("INC-7", "OCR down", "SEV-2", actor="ana@bastion"))
    return CockpitApp(session, AppOptions(author="ana@bastion"), clock=clock), Path(log.path)


async def burst(app: CockpitApp, pilot: Pilot[int], text: str) -> None:
    """Post every key of `text` at once, as the terminal driver does after one read
    (a tab character stands for the Tab key)."""
    for char in text:
        key = {"/": "slash", " ": "space", "\t": "tab"}.get(char, char)
        app.post_message(Key(key, None if char == "\t" else char))
    await pilot.pause(0.6)  # held keys are released in a few ms each


def types_in_log(path: Path) -> list[str]:
    return [json.loads(line)["type"] for line in path.read_text(encoding="utf-8").splitlines()]


async def test_words_typed_behind_n_go_into_the_note_and_run_no_binding(tmp_path: Path) -> None:
    app, path = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await burst(app, pilot, "na quick test")
        dialog = app.screen
        assert isinstance(dialog, NoteDialog)
        assert dialog.query_one("#note", Input).value == "a quick test"
    # `a` (acknowledge) and `e`/`t` (export, timeline) were text, not keys for the dashboard
    assert "incident.acknowledged" not in types_in_log(path)


async def test_a_filter_typed_behind_slash_filters_and_opens_nothing(tmp_path: Path) -> None:
    app, _path = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await burst(app, pilot, "/kyc")
        assert isinstance(app.screen, DashboardScreen)  # `c` did not open the command screen
        assert app.screen.query_one(FilterBar).value == "kyc"


async def test_a_filter_typed_before_the_bar_is_mounted_still_filters(tmp_path: Path) -> None:
    # The bar is mounted after the first frame; keys read with the first frame (typed while
    # the cockpit started) can find it missing. The same keys then wait for it.
    app, _path = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await screen.query_one(FilterBar).remove()  # as it is until the first frame is drawn
        screen._filter = screen._filter_mount = None
        await burst(app, pilot, "/kyc")
        assert isinstance(app.screen, DashboardScreen)  # `c` did not open the command screen
        bar = screen.query_one(FilterBar)
        assert app.focused is bar and bar.value == "kyc" and bar.target == 1


async def test_a_single_key_is_handled_at_once(tmp_path: Path) -> None:
    app, _path = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.post_message(Key("n", "n"))
        await pilot.pause()  # no wait beyond Textual's own processing
        assert isinstance(app.screen, NoteDialog)


async def declare_dialog(app: CockpitApp, pilot: Pilot[int]) -> IncidentDialog:
    await pilot.pause()
    await pilot.press("i")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, IncidentDialog)
    return dialog


async def test_keys_typed_right_behind_tab_land_in_the_next_field(tmp_path: Path) -> None:
    """The keys after Tab go to the field Tab moved to, not to the one it left."""
    app, _path = make_app(tmp_path, declared=False)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await declare_dialog(app, pilot)
        await burst(app, pilot, "ab\t\tk")
        assert dialog.query_one("#incident-title", Input).value == "ab"
        assert app.focused is not None and app.focused.id == "incident-services"
        assert dialog.query_one("#incident-services", Input).value == "k"


async def test_keys_typed_right_behind_the_severity_digit_land_in_the_next_field(
    tmp_path: Path,
) -> None:
    """On the severity field a digit picks the level and moves on at once: what follows it
    is the affected services; a digit in the title stays text."""
    app, _path = make_app(tmp_path, declared=False)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await declare_dialog(app, pilot)
        await burst(app, pilot, "db2\t2k")
        assert dialog.query_one("#incident-title", Input).value == "db2"
        assert dialog.query_one("#incident-severity", Select).value == "SEV-2"
        assert dialog.query_one("#incident-services", Input).value == "k"
