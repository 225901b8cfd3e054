"""After an outage, a pane recovers within one refresh interval plus the deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from appkit import build_app, status_line, wait_until
from fakeapi import FaultyApi

from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.wiring import PlannedSource

INTERVAL_S = 1.0
DEADLINE_S = 0.5
OUTAGE_S = 10.0
"""Long enough for a doubling backoff to have reached 16 s (it used to grow to 60 s)."""
SLACK_S = 1.5
"""Event-loop and thread scheduling on a shared 2-core machine."""

OUTAGES: dict[str, tuple[Callable[[FaultyApi], None], Callable[[FaultyApi], None]]] = {
    "down": (lambda api: api.stop(), lambda api: api.start()),
    "hangs": (lambda api: api.set_fault(r"^/api/", delay_s=60.0), lambda api: api.clear_faults()),
}


def fixed_port_api() -> FaultyApi:
    probe = FaultyApi()
    probe.start()
    port = probe.port
    probe.stop()
    api = FaultyApi(port=port)  # a fixed port, so a stopped server comes back where it was
    api.start()
    return api


@pytest.mark.parametrize("outage", OUTAGES)
async def test_pane_recovers_within_one_interval_plus_the_deadline(
    outage: str, tmp_path: Path
) -> None:
    brk, mend = OUTAGES[outage]
    api = fixed_port_api()
    source = AlertmanagerAlerts(api.url, timeout_s=DEADLINE_S)
    app = build_app(tmp_path / "recovery.jsonl", [PlannedSource(source, INTERVAL_S)], INTERVAL_S)
    try:
        async with app.run_test(size=(120, 40)) as pilot:

            def live() -> bool:
                return status_line(app, 1).startswith("● live")

            await wait_until(pilot, live, "alerts pane live", 10.0)
            brk(api)
            await wait_until(
                pilot, lambda: status_line(app, 1).startswith("✖ FAILED"), "failed", 5.0
            )
            began = time.monotonic()
            while time.monotonic() - began < OUTAGE_S:
                await pilot.pause(0.2)
                await asyncio.sleep(0.05)
            failures = app.session._scheduler.failures("alertmanager")  # type: ignore[attr-defined]
            assert failures >= 5, failures
            mend(api)
            took = await wait_until(
                pilot,
                live,
                f"alerts pane live after a {OUTAGE_S:g} s outage ({status_line(app, 1)!r})",
                INTERVAL_S + DEADLINE_S + SLACK_S,
            )
            print(f"recovered {took:.2f} s after the source came back ({failures} failures)")
            await pilot.press("q")
    finally:
        api.stop()
