"""Read-only, viewer and replay sessions post nothing (the permission decision says why)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from process.process_support import AUTHOR, environ, open_live, pump_until, write_config

from cockpit.actions.notes import NoteDraft
from cockpit.actions.outcome import Outcome
from cockpit.command.declare import IncidentForm
from cockpit.config import load_settings
from cockpit.log.reader import LogReader
from cockpit.outbox.core import build_outbox
from cockpit.permissions import Mode, Permissions
from cockpit.sim.github_fake import GitHubFake
from cockpit.sim.slack_fake import SlackFake


@pytest.mark.parametrize(
    "permissions",
    [Permissions.decide(Mode.LIVE, read_only=True), Permissions.decide(Mode.LIVE, role="viewer"),
     Permissions.decide(Mode.LIVE, environment="prod", environment_read_only=True)],
    ids=["read-only", "viewer", "read-only-environment"],
)  # fmt: skip
def test_locked_sessions_post_nothing(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake], permissions: Permissions
) -> None:
    slack, github = fakes
    config = write_config(tmp_path, slack, github)
    session, actions = open_live(tmp_path / "log.jsonl", config, environ(slack, github),
                                 permissions)  # fmt: skip
    assert session.outbox is not None and session.outbox.refusal is not None
    if permissions.role != "viewer":  # a viewer may not declare; seed the log as a responder
        assert isinstance(actions.declare_or_update(IncidentForm("Disk full", "SEV-2")), Outcome)
    assert isinstance(actions.add_note(NoteDraft("looked at the disk")), Outcome)
    for _ in range(10):
        session.pump()
    asyncio.run(session.stop())
    assert slack.requests == [] and github.requests == []
    assert not session.outbox.lanes


def test_replay_of_a_log_with_pending_posts_nothing(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    config, env, log = write_config(tmp_path, slack, github), environ(slack, github), tmp_path / "l"
    session, actions = open_live(log, config, env, Permissions.decide(Mode.LIVE, read_only=True))
    actions.declare_or_update(IncidentForm("Disk full", "SEV-2"))
    asyncio.run(session.stop())
    settings = load_settings(str(config), environ=env)
    replay = build_outbox(settings, env, Permissions.decide(Mode.REPLAY), AUTHOR)
    assert replay is not None and replay.refusal is not None and "replay" in replay.refusal
    replay.observe(record.event for record in LogReader(log))
    assert len(replay.book.pending()) == 2  # the channel and the ticket, never sent
    pump_until_quiet = [replay.take() for _ in range(5)]
    assert pump_until_quiet == [[]] * 5
    assert slack.requests == [] and github.requests == []


def test_a_second_responder_does_not_post_the_first_ones_events(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    config, env, log = write_config(tmp_path, slack, github), environ(slack, github), tmp_path / "l"
    first, actions = open_live(log, config, env)
    actions.declare_or_update(IncidentForm("Disk full", "SEV-2"))
    pump_until(first, lambda: first.outbox is not None and not first.outbox.book.pending())
    settings = load_settings(str(config), environ=env)
    other = build_outbox(settings, env, Permissions.decide(Mode.LIVE), "bruno")
    assert other is not None
    other.observe(record.event for record in LogReader(log))
    assert other.book.pending() == []
    status = {s.target: s for s in other.status()}
    assert status["github"].where == "acme/incidents#1" and status["slack"].posted == 1
    other.stop()
    asyncio.run(first.stop())
