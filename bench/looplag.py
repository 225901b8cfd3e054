"""Event-loop lag probe, and the scale check: 10,000 alerts, 5,000 tenants and 2,000 consumer
groups against an empty log, first full screen and the longest stall.

The probe is a coroutine that sleeps 10 ms in a loop and records how late it woke up: any
callback that holds the loop (a render, a fold, a table build) shows up as overshoot.

    PYTHONPATH=$PWD python -m bench.looplag [--alerts 10000 --tenants 5000 --groups 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

PERIOD_S = 0.010


class LoopLag:
    """`async with LoopLag() as lag:` ... `lag.max_ms`: the worst overshoot of a 10 ms sleep."""

    def __init__(self, period_s: float = PERIOD_S) -> None:
        self.period_s = period_s
        self.max_ms = 0.0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    def reset(self) -> None:
        """Forget what was seen so far (e.g. after startup, to watch the running screen)."""
        self.max_ms, self.samples = 0.0, 0

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.period_s)
            late = (time.perf_counter() - before - self.period_s) * 1000.0
            self.max_ms = max(self.max_ms, late)
            self.samples += 1

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def painted(pilot: Any) -> None:
    """Until the screen has laid out and painted what its widgets hold. Rows set on a table
    reach the terminal at the screen's next updates (a layout for the new size, another
    when its scrollbar appears, then the paint): a full screen counts when a user would see
    it, and a stall measured after it does not take those updates for the running screen's."""
    for _ in range(10):
        await pilot.pause(0)  # the pending messages handled, then the screen's update now
        screen = pilot.app.screen
        pending = screen._layout_required or screen._repaint_required or screen._dirty_widgets
        # Every widget the screen draws, scrollbars included (they are not DOM children).
        if not pending and not any(w._layout_required for w in screen._compositor.widgets):
            return


def _full(app: Any, alerts: int, tenants: int, groups: int) -> bool:
    dash = app.dashboard
    return bool(
        dash.pane(1).table.total_rows == alerts
        and dash.pane(2).table.total_rows == groups
        and dash.pane(4).table.total_rows == tenants
    )


async def first_screen(path: Path, alerts: int, tenants: int, groups: int) -> dict[str, float]:
    """Replay `path` at the data: ms to the first screen holding all of it, the longest
    stall while it filled, and the longest stall while keys are pressed afterwards."""
    from bench.scale import START
    from cockpit.app import AppOptions
    from cockpit.clock import SystemClock, parse_rfc3339
    from cockpit.permissions import Mode, Permissions
    from cockpit.screens.header import HeaderInfo
    from cockpit.session import ReplaySession

    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    session = ReplaySession(path, SystemClock())
    session.player.seek(parse_rfc3339(START).replace(minute=31))
    # Measure the app, not the caller's heap: in a test process the objects of earlier tests
    # made each full collection take 0.5-0.75 s (a fresh `cockpit` process has no such heap).
    gc.collect()
    gc.freeze()
    try:
        return await _first_screen(session, options, alerts, tenants, groups)
    finally:
        gc.unfreeze()


async def _first_screen(
    session: Any, options: Any, alerts: int, tenants: int, groups: int
) -> dict[str, float]:
    from cockpit.app import CockpitApp

    async with LoopLag() as lag:
        began = time.perf_counter()
        app = CockpitApp(session, options)
        async with app.run_test(size=(200, 50)) as pilot:
            lag.reset()  # the first frame itself is the startup figure, not a stall
            while not _full(app, alerts, tenants, groups):
                await asyncio.sleep(0.002)
            await painted(pilot)
            first = (time.perf_counter() - began) * 1000.0
            filling = lag.max_ms
            lag.reset()
            for key in ("2", "3", "4", "1", "down", "down", "end", "home"):
                await pilot.press(key)
            await pilot.pause(0.5)
            running = lag.max_ms
    return {"first_screen_ms": first, "stall_filling_ms": filling, "stall_keys_ms": running}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.looplag", description=__doc__)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, default=5_000)
    parser.add_argument("--groups", type=int, default=2_000)
    args = parser.parse_args(argv)
    from bench.scale import write_big_log

    with tempfile.TemporaryDirectory(prefix="cockpit-lag-") as tmp:
        empty, big = Path(tmp) / "empty.jsonl", Path(tmp) / "big.jsonl"
        write_big_log(empty, 0, 0, 0)
        write_big_log(big, args.alerts, args.tenants, args.groups)
        base = asyncio.run(first_screen(empty, 0, 0, 0))
        got = asyncio.run(first_screen(big, args.alerts, args.tenants, args.groups))
    extra = got["first_screen_ms"] - base["first_screen_ms"]
    print(f"empty log: first screen {base['first_screen_ms']:.0f} ms, "
          f"longest stall on keys {base['stall_keys_ms']:.0f} ms")  # fmt: skip
    sizes = f"{args.alerts:,} alerts / {args.tenants:,} tenants / {args.groups:,} groups"
    full = got["first_screen_ms"]
    print(f"{sizes}: first full screen {full:.0f} ms (+{extra:.0f} ms, budget 300)")
    print(f"longest loop stall: while filling {got['stall_filling_ms']:.0f} ms, "
          f"on keys {got['stall_keys_ms']:.0f} ms (budget 50)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
