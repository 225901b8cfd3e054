"""Helpers for Pilot tests: the screen as plain text, waiting for text, a live app on a config."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

from cockpit.app import CockpitApp
from cockpit.clock import Clock, SystemClock
from cockpit.config import load_settings
from cockpit.launch import live_session
from cockpit.log.store import IncidentLog


def screen_text(app: App[object]) -> str:
    """What the terminal would show, one line per row, without styles."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def wait_for(
    pilot: Pilot[object],
    check: Callable[[str], bool],
    *,
    timeout_s: float = 20.0,
    what: str = "the expected text",
) -> str:
    """Pause the pilot until `check(screen text)` holds; fails with the screen otherwise."""
    end = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < end:
        await pilot.pause(0.2)
        text = screen_text(pilot.app)
        if check(text):
            return text
    raise AssertionError(f"{what} not on screen after {timeout_s:g} s:\n{text}")


async def wait_text(pilot: Pilot[object], *needles: str, timeout_s: float = 20.0) -> str:
    """Wait until every needle is on screen."""
    return await wait_for(
        pilot,
        lambda text: all(n in text for n in needles),
        timeout_s=timeout_s,
        what=" and ".join(repr(n) for n in needles),
    )


def live_app(
    config: Path,
    log_path: Path,
    environ: Mapping[str, str],
    *,
    clock: Clock | None = None,
    read_only: bool = False,
) -> CockpitApp:
    """The cockpit assembled exactly as `cockpit --config F --log L` does."""
    clock = clock or SystemClock()
    settings = load_settings(str(config), env_name=None, environ=dict(environ))
    log, _ = IncidentLog.open(log_path, clock=clock, from_start=True)
    session, options = live_session(settings, environ, log, clock, read_only=read_only)
    return CockpitApp(session, options, clock=clock)
