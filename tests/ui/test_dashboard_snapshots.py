"""SVG snapshots of the dashboard at 80x24 and 200x50: the shipped demo log, frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from textual.pilot import Pilot

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.launch import sample_log
from cockpit.log.reader import LogReader
from cockpit.permissions import Mode, Permissions
from cockpit.screens.header import HeaderInfo
from cockpit.session import ReplaySession

SnapCompare = Callable[..., bool]


def replay_app(offset_s: float) -> CockpitApp:
    """The sample incident replayed to `offset_s` after its first event, clock frozen."""
    path = str(sample_log())
    start = next(iter(LogReader(path))).event.ts
    clock = FrozenClock(start)
    session = ReplaySession(path, clock, speed=1.0)
    session.player.seek(start + timedelta(seconds=offset_s))
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    return CockpitApp(session, options, clock=clock)


async def settle(pilot: Pilot[object]) -> None:
    await pilot.pause(0.5)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_dashboard_mid_incident(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(replay_app(150), terminal_size=size, run_before=settle)


def test_narrow_layout_shows_the_lag_pane_on_key_2(snap_compare: SnapCompare) -> None:
    assert snap_compare(replay_app(150), terminal_size=(80, 24), press=["2"], run_before=settle)
