"""SVG snapshots at 80x24 of the command screen, the timeline and the RB-004 runbook screen:
the shipped demo log replayed on a frozen clock, each screen opened by its key."""

from __future__ import annotations

from collections.abc import Callable

from test_dashboard_snapshots import replay_app, settle
from textual.pilot import Pilot

SnapCompare = Callable[..., bool]
SIZE = (80, 24)


def opened_by(*keys: str) -> Callable[[Pilot[object]], object]:
    """Let the replay settle, press `keys`, let the new screen settle."""

    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_command_screen_in_replay(snap_compare: SnapCompare) -> None:
    assert snap_compare(replay_app(150), terminal_size=SIZE, run_before=opened_by("c"))


def test_timeline_of_the_demo_incident(snap_compare: SnapCompare) -> None:
    assert snap_compare(replay_app(150), terminal_size=SIZE, run_before=opened_by("t"))


def test_runbook_rb004_opened_from_its_alert(snap_compare: SnapCompare) -> None:
    # At T+90 s only PostgresConnectionsExhausted fires; Enter on it opens RB-004.
    assert snap_compare(replay_app(90), terminal_size=SIZE, run_before=opened_by("1", "enter"))
