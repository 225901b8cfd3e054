"""Builds the real cockpit app over a live session on a temp log, with the sources a test picks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.pilot import Pilot

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock
from cockpit.log.events import SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.screens.header import HeaderInfo
from cockpit.screens.panes.base import Pane
from cockpit.session import LiveSession
from cockpit.wiring import PlannedSource


def build_app(log_path: Path, planned: Sequence[PlannedSource], refresh_s: float) -> CockpitApp:
    """The cockpit polling `planned`, recording into `log_path`."""
    clock = SystemClock()
    log, _report = IncidentLog.open(log_path, clock=clock)

    def planner() -> tuple[Sequence[PlannedSource], SourcesConfigured]:
        configured = SourcesConfigured(
            sources=tuple(
                {"name": p.source.name, "kind": p.source.kind, "interval_s": p.interval_s}
                for p in planned
            ),
            environment="faults",
        )
        return planned, configured

    session = LiveSession(log, planner, clock)
    options = AppOptions(header=HeaderInfo("LIVE", "faults"), refresh_s=refresh_s, author="t@h")
    return CockpitApp(session, options, clock=clock)


def status_line(app: CockpitApp, number: int) -> str:
    """The text of pane `number`'s status line (its border subtitle)."""
    pane: Pane = app.dashboard.pane(number)
    return pane.status.text


async def wait_until(
    pilot: Pilot[int], check: Callable[[], bool], what: str, within_s: float
) -> float:
    """Pump the app until `check()` holds; return the seconds it took (fail after `within_s`)."""
    began = time.monotonic()
    while time.monotonic() - began < within_s:
        if check():
            return time.monotonic() - began
        await pilot.pause(0.05)
        await asyncio.sleep(0.02)
    raise AssertionError(f"{what}: not within {within_s:.1f} s")


async def key_latency(app: CockpitApp, key: str = "f12") -> float:
    """Seconds from a key reaching the app (as the terminal driver delivers it) to its action.

    The key is bound (once) to an action that only notes the time, so what is measured is
    the wait for the event loop, the cost a busy source adds to every key. Pilot's `press`
    also waits for the whole app to go idle (timers, repaints): not what an operator feels.
    """
    from textual import events

    hits: list[float] = getattr(app, "probe_hits", [])
    if not hasattr(app, "probe_hits"):
        app.probe_hits = hits  # type: ignore[attr-defined]
        app.action_probe = lambda: hits.append(time.monotonic())  # type: ignore[attr-defined]
        app.bind(key, "probe", show=False)
    driver = app._driver
    assert driver is not None
    event = events.Key(key, None)
    event.set_sender(app)
    seen = len(hits)
    began = time.monotonic()
    driver.send_message(event)
    while len(hits) == seen:
        await asyncio.sleep(0.002)
        if time.monotonic() - began > 5.0:
            raise AssertionError(f"key {key!r}: not handled within 5 s")
    return hits[-1] - began
