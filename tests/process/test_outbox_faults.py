"""Slack rate-limited, Slack down, a restart in between: nothing lost, order kept."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from process.process_support import (
    environ,
    open_live,
    outcomes_in,
    pump_until,
    settled,
    write_config,
)

from cockpit.actions.notes import NoteDraft
from cockpit.command.declare import IncidentForm
from cockpit.log.events_outbox import ChatPosted, TicketUpdated
from cockpit.sim.github_fake import GitHubFake
from cockpit.sim.slack_fake import SlackFake

NOTES = [f"step {n}: checked the pods" for n in range(1, 6)]


def note_lines(slack: SlackFake) -> list[str]:
    """The note lines of the incident channel, in channel order."""
    channel = next(c.name for c in slack.channels.values() if c.name.startswith("inc-"))
    return [t.split("note by ana: ", 1)[1] for t in slack.texts(channel) if "note by ana" in t]


def test_rate_limit_honours_retry_after_and_loses_nothing(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    session, actions = open_live(tmp_path / "log.jsonl", write_config(tmp_path, slack, github),
                                 environ(slack, github))  # fmt: skip
    slack.rate_limit(next_n=2, retry_after_s=1)
    started = time.monotonic()
    actions.declare_or_update(IncidentForm("Queue stuck", "SEV-3"))
    for text in NOTES:
        actions.add_note(NoteDraft(text))
    pump_until(session, lambda: settled(session))
    elapsed = time.monotonic() - started
    asyncio.run(session.stop())

    assert note_lines(slack) == NOTES
    refused = [r for r in slack.requests if r.status == 429]
    failures = [p for p in outcomes_in(tmp_path / "log.jsonl")
                if isinstance(p, ChatPosted) and not p.ok]  # fmt: skip
    # Each 429 is one recorded attempt (no hidden retry in the client), with its Retry-After.
    assert len(refused) == len(failures) == 2
    assert all(p.retry_after_s == 1.0 and "429" in p.error for p in failures)
    assert elapsed >= 2.0  # waited Retry-After twice before sending again


def test_slack_down_queues_then_delivers(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    log = tmp_path / "log.jsonl"
    session, actions = open_live(log, write_config(tmp_path, slack, github), environ(slack, github))
    slack.go_down()
    started = time.monotonic()
    actions.declare_or_update(IncidentForm("Queue stuck", "SEV-3"))
    assert time.monotonic() - started < 1.0  # the action never waits on Slack
    for text in NOTES[:3]:
        actions.add_note(NoteDraft(text))
    assert session.outbox is not None
    # Slack fails while GitHub, in its own lane, opens the ticket (in either order).
    pump_until(session, lambda: session.outbox is not None and all(
        (s.last_error if s.target == "slack" else not s.pending)
        for s in session.outbox.status()))  # fmt: skip
    status = {s.target: s for s in session.outbox.status()}
    assert status["slack"].pending == 4 and "unreachable" in status["slack"].last_error
    assert status["github"].pending == 0 and status["github"].where == "acme/incidents#1"
    slack.come_back()
    for text in NOTES[3:]:
        actions.add_note(NoteDraft(text))
    pump_until(session, lambda: settled(session), timeout_s=20)
    asyncio.run(session.stop())
    assert note_lines(slack) == NOTES
    assert {s.target: s.pending for s in session.outbox.status()} == {"slack": 0, "github": 0}


def test_restart_finds_pending_in_the_log(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    log, config, env = (
        tmp_path / "log.jsonl",
        write_config(tmp_path, slack, github),
        environ(slack, github),
    )
    first, actions = open_live(log, config, env)
    slack.go_down()
    actions.declare_or_update(IncidentForm("Queue stuck", "SEV-3"))
    for text in NOTES:
        actions.add_note(NoteDraft(text))
    pump_until(first, lambda: bool(github.issues) and any(
        isinstance(p, ChatPosted) and not p.ok for p in outcomes_in(log)))  # fmt: skip
    asyncio.run(first.stop())
    assert [c.name for c in slack.channels.values()] == ["incidents"]  # nothing reached Slack

    slack.come_back()
    second, _actions = open_live(log, config, env)
    assert second.outbox is not None and len(second.outbox.book.pending()) == 1 + len(NOTES)
    pump_until(second, lambda: settled(second))
    asyncio.run(second.stop())
    assert note_lines(slack) == NOTES
    assert len(github.issues) == 1  # what was done before the restart is not done again


def test_slow_slack_hits_the_deadline_then_delivers(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    log = tmp_path / "log.jsonl"
    session, actions = open_live(log, write_config(tmp_path, slack, github), environ(slack, github))
    slack.set_fault("/api/", delay_s=4.0, times=1)  # the config's deadline is 2 s
    started = time.monotonic()
    actions.declare_or_update(IncidentForm("Queue stuck", "SEV-3"))
    actions.add_note(NoteDraft(NOTES[0]))
    assert time.monotonic() - started < 1.0
    pump_until(session, lambda: settled(session), timeout_s=20)
    asyncio.run(session.stop())
    failures = [p for p in outcomes_in(log) if isinstance(p, ChatPosted) and not p.ok]
    assert len(failures) == 1 and "unreachable" in failures[0].error
    assert note_lines(slack) == NOTES[:1]


def test_github_rate_limit_waits_without_holding_slack_back(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    log = tmp_path / "log.jsonl"
    session, actions = open_live(log, write_config(tmp_path, slack, github), environ(slack, github))
    github.set_fault("/issues", status=429, times=1, headers={"Retry-After": "1"})
    actions.declare_or_update(IncidentForm("Queue stuck", "SEV-3"))
    actions.add_note(NoteDraft(NOTES[0]))
    pump_until(session, lambda: settled(session))
    asyncio.run(session.stop())
    tickets = [p for p in outcomes_in(log) if isinstance(p, TicketUpdated)]
    assert [(p.kind, p.ok, p.retry_after_s) for p in tickets] == [
        ("open", False, 1.0), ("open", True, None)]  # fmt: skip
    assert len(github.issues) == 1 and note_lines(slack) == NOTES[:1]
