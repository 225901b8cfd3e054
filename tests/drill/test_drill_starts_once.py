"""The drill app starts its session once. Textual runs `on_mount` of every class of the app's
MRO; a `DrillApp.on_mount` that also called `super().on_mount()` started the session twice: a
second simulated platform (the first one leaked) and a second `play()` that reset the drill
clock, so the time a trainee (or a test) had already moved was lost."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from test_drill_pilot import START, banner_on, until

from cockpit.clock import FrozenClock
from cockpit.demo_setup import DemoSetup
from cockpit.launch import build_drill, sample_log
from cockpit.log.events import SourcesConfigured
from cockpit.screens.drill import DebriefScreen
from cockpit.wiring import PlannedSource


async def test_the_drill_session_starts_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned: list[object] = []
    real = DemoSetup.planner

    def counted(self: DemoSetup) -> tuple[Sequence[PlannedSource], SourcesConfigured]:
        planned.append(self)
        return real(self)

    monkeypatch.setattr(DemoSetup, "planner", counted)
    base = FrozenClock(START)
    app, setup = build_drill(
        str(sample_log()), base, speed=4.0, log_dir=tmp_path, with_postgres=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: setup.platform is not None and banner_on(app))
        await pilot.pause(0.5)  # a second start follows the first within milliseconds
        assert planned == [setup], f"the session was started {len(planned)} times"
        await pilot.press("q")  # the debrief, then quit: the platform is stopped
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        await until(pilot, lambda: app.drill.debrief is not None)
        await pilot.press("q")
        await until(pilot, lambda: app.drill.closed)
