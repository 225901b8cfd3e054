"""Slack and GitHub fakes, a config naming them, and a live session with its outbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cockpit.actions.core import Actions
from cockpit.clock import FrozenClock
from cockpit.command.options import CommandOptions
from cockpit.config import load_settings
from cockpit.log.events import SourcesConfigured
from cockpit.log.events_outbox import ChatPosted, TicketUpdated
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.session import LiveSession
from cockpit.sim.github_fake import GitHubFake
from cockpit.sim.slack_fake import SlackFake
from cockpit.startup import outbox_for

START = datetime(2026, 3, 4, 2, 10, tzinfo=UTC)
AUTHOR = "ana"
PEOPLE = {"ana": "U0ANA0001", "bruno": "U0BRUNO01"}


def write_config(folder: Path, slack: SlackFake, github: GitHubFake) -> Path:
    """A config with both tools on, pointing at the fakes (tokens by env reference)."""
    path = folder / "cockpit.toml"
    people = "\n".join(f'{name} = "{uid}"' for name, uid in PEOPLE.items())
    path.write_text(f"""
[incident]
author = "{AUTHOR}"

[slack]
enabled = true
base_url = "{slack.api_url}"
token_env = "SLACK_TOKEN"
incidents_channel = "incidents"
timeout_seconds = 2

[slack.people]
{people}

[github]
enabled = true
base_url = "{github.url}"
repository = "{github.repository}"
token_env = "GITHUB_TOKEN"
labels = ["sre"]
timeout_seconds = 2
""")
    return path


def environ(slack: SlackFake, github: GitHubFake) -> dict[str, str]:
    """The variables the config names."""
    return {"SLACK_TOKEN": slack.token, "GITHUB_TOKEN": github.token}


def open_live(
    log_path: Path,
    config: Path,
    env: dict[str, str],
    permissions: Permissions | None = None,
) -> tuple[LiveSession, Actions]:
    """A live session on `log_path` (read from its start) with the configured outbox."""
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(log_path, clock=clock, from_start=True)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    settings = load_settings(str(config), environ=env)
    permissions = permissions or Permissions.decide(Mode.LIVE)
    session.outbox = outbox_for(settings, env, permissions)
    session.pump()
    return session, Actions.for_session(session, permissions, AUTHOR, CommandOptions())


def pump_until(session: LiveSession, done: Callable[[], bool], timeout_s: float = 15.0) -> None:
    """Pump the session (as the app's timer does) until `done()` or the deadline fails."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        session.pump()
        if done():
            return
        time.sleep(0.05)
    raise AssertionError(f"not done within {timeout_s} s")


def settled(session: LiveSession) -> bool:
    """True when the outbox has nothing pending."""
    assert session.outbox is not None
    return not session.outbox.book.pending()


def outcomes_in(log: Path) -> list[ChatPosted | TicketUpdated]:
    """Every post attempt recorded in the log, in order."""
    found: list[ChatPosted | TicketUpdated] = []
    for record in LogReader(log):
        payload = record.event.payload()
        if isinstance(payload, ChatPosted | TicketUpdated):
            found.append(payload)
    return found
