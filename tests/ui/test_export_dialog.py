"""Export dialog under Pilot: the post-mortem is rendered in a thread worker, the dialog shows
each stage and then the written path, and the screen answers keys while a slow export runs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from export.export_logs import T0, incident_log
from textual.widgets import Checkbox, Input, Select, Static

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.export import run
from cockpit.permissions import Mode, Permissions
from cockpit.screens import export as export_screen
from cockpit.screens.export import ExportDialog
from cockpit.screens.header import HeaderInfo
from cockpit.session import ReplaySession


def replay_app(log: Path) -> CockpitApp:
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    clock = FrozenClock(T0)
    return CockpitApp(ReplaySession(log, clock), options, clock=clock)


def result_text(dialog: ExportDialog) -> str:
    return str(dialog.query_one("#export-result", Static).render())


async def open_dialog(app: CockpitApp, pilot: Any, out: Path) -> ExportDialog:
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#export-output", Input).value = str(out)
    return dialog


async def finished(app: CockpitApp, pilot: Any, dialog: ExportDialog) -> None:
    """Wait for the worker (the click's handler may start it after the click returns)."""
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        line = result_text(dialog)
        if not dialog.busy and line and "Exporting" not in line:
            return
    raise AssertionError(f"the export did not finish: {result_text(dialog)}")


async def test_export_writes_the_post_mortem_and_says_where(tmp_path: Path) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    out = tmp_path / "out" / "pm.md"
    out.parent.mkdir()
    app = replay_app(log)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, out)
        dialog.query_one("#export-template", Select).value = "incident-report"
        dialog.query_one("#export-redact", Checkbox).value = True
        await pilot.click("#export-go")
        await finished(app, pilot, dialog)
        assert f"Written to {out}" in result_text(dialog)
        assert dialog.written == out.resolve()
        text = out.read_text(encoding="utf-8")
        assert text.startswith("# Incident report: KYC checks delayed by consumer lag")
        assert "acme-bank" not in text and "tenant-A" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)


async def test_a_slow_export_runs_off_the_ui_thread_and_shows_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    out = tmp_path / "pm.md"
    gate = threading.Event()
    threads: list[int] = []

    def slow_export(*args: Any, progress: Any, **kwargs: Any) -> run.Exported:
        """The real export, held at its rendering stage until the test lets it go."""

        def held(stage: str) -> None:
            progress(stage)
            if stage.startswith("rendering"):
                threads.append(threading.get_ident())
                assert gate.wait(10)

        return run.export_markdown(*args, progress=held, **kwargs)

    monkeypatch.setattr(export_screen, "export_markdown", slow_export)
    app = replay_app(log)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, out)
        await pilot.click("#export-go")
        for _ in range(50):
            await pilot.pause(0.02)
            if "rendering" in result_text(dialog):
                break
        assert "Exporting: rendering the postmortem template" in result_text(dialog)
        assert threads and threads[0] != threading.get_ident()
        redact = dialog.query_one("#export-redact", Checkbox)
        redact.focus()
        await pilot.press("space")  # the screen still answers keys mid-export
        assert redact.value is True
        assert not out.exists()
        gate.set()
        await finished(app, pilot, dialog)
        assert f"Written to {out.resolve()}" in result_text(dialog)
        assert out.read_text(encoding="utf-8").startswith("# ")
