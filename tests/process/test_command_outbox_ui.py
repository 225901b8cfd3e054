"""The command screen shows the channel, the ticket and their counts (Pilot, real fakes)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from process.process_support import AUTHOR, START, environ, write_config
from textual.widgets import Static

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.command.declare import IncidentForm
from cockpit.config import load_settings
from cockpit.log.events import SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.screens.command import CommandScreen
from cockpit.screens.header import HeaderInfo
from cockpit.session import LiveSession
from cockpit.sim.github_fake import GitHubFake
from cockpit.sim.slack_fake import SlackFake
from cockpit.startup import outbox_for


async def test_command_screen_line(tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]) -> None:
    slack, github = fakes
    env = environ(slack, github)
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    live = Permissions.decide(Mode.LIVE)
    settings = load_settings(str(write_config(tmp_path, slack, github)), environ=env)
    session.outbox = outbox_for(settings, env, live)
    app = CockpitApp(session, AppOptions(header=HeaderInfo("LIVE"), permissions=live,
                                         author=AUTHOR), clock=clock)  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CommandScreen)
        line = screen.query_one("#cmd-outbox", Static)
        assert "open when you declare" in str(line.render())
        app.actions.declare_or_update(IncidentForm("Disk <b>full</b>", "SEV-2"))
        deadline = time.monotonic() + 10
        shown = ""
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            session.pump()
            screen.refresh_view()
            shown = str(line.render())
            if "1 posted, 0 pending" in shown and "#1" in shown:
                break
        assert "Slack #inc-20260304-disk-b-full-b  1 posted, 0 pending" in shown, shown
        assert "GitHub acme/incidents#1" in shown
