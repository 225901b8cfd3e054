"""A replay of a log that fails verification says so (banner and notification); intact: quiet."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock
from cockpit.launch import sample_log
from cockpit.permissions import Mode, Permissions
from cockpit.screens.header import HeaderInfo
from cockpit.session import ReplaySession


async def verdict_of(log: Path) -> tuple[str, list[str]]:
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    clock = SystemClock()
    app = CockpitApp(ReplaySession(log, clock), options, clock=clock)
    async with app.run_test(size=(160, 40)) as pilot:
        transport = app.transport
        assert transport is not None
        for _ in range(100):
            if transport.verdict is not None:
                break
            await pilot.pause(0.05)
            await asyncio.sleep(0.02)
        await pilot.pause()
        assert transport.verdict is not None
        line = str(transport.render())
        return line, [n.message for n in app._notifications]


async def test_a_tampered_log_replays_with_a_banner(tmp_path: Path) -> None:
    log = tmp_path / "tampered.jsonl"
    shutil.copyfile(sample_log(), log)
    data = log.read_bytes()
    log.write_bytes(data.replace(b'"author":"', b'"author":"X', 1))  # one hash now wrong
    line, notes = await verdict_of(log)
    assert "LOG FAILS VERIFICATION" in line
    assert any("failed verification: FAILED at seq" in n for n in notes)


async def test_an_intact_log_replays_without_one(tmp_path: Path) -> None:
    line, notes = await verdict_of(Path(sample_log()))
    assert "VERIFICATION" not in line
    assert not any("verification" in n for n in notes)
