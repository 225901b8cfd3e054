"""Declare, note, mitigate, resolve: the channel's lines in order, the issue's comments and
its closing, through the real slack_sdk and PyGithub clients against the loopback fakes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from process.process_support import (
    AUTHOR,
    PEOPLE,
    environ,
    open_live,
    outcomes_in,
    pump_until,
    settled,
    write_config,
)

from cockpit.actions.notes import NoteDraft
from cockpit.actions.outcome import Outcome
from cockpit.command.declare import IncidentForm
from cockpit.log.events import MitigationCompleted, MitigationConfirmed, MitigationRequested
from cockpit.log.events_outbox import ChatPosted, TicketUpdated
from cockpit.sim.github_fake import GitHubFake
from cockpit.sim.slack_fake import SlackFake


def run_incident(tmp_path: Path, slack: SlackFake, github: GitHubFake) -> Path:
    """Declare, assign, note, acknowledge, run a mitigation, resolve; wait for the posts."""
    config = write_config(tmp_path, slack, github)
    log = tmp_path / "incident.jsonl"
    session, actions = open_live(log, config, environ(slack, github))
    assert isinstance(actions.declare_or_update(IncidentForm("OCR <down> *now*", "SEV-2")), Outcome)
    assert isinstance(actions.assign_role("Incident Commander", "bruno"), Outcome)
    assert isinstance(actions.add_note(NoteDraft("pods restart in a loop @here")), Outcome)
    assert isinstance(actions.acknowledge(), Outcome)
    session.append(MitigationRequested("r1", "RB-001", "restart", "k8s", "rollout restart ocr",
                                       actor=AUTHOR))  # fmt: skip
    session.append(MitigationConfirmed("r1", AUTHOR))
    session.append(MitigationCompleted("r1", "ok", "3/3 pods ready", actor=AUTHOR))
    assert isinstance(actions.resolve(), Outcome)
    assert isinstance(actions.attach_postmortem("# OCR down\n\n*Cause*: a bad deploy", "default"),
                      Outcome)  # fmt: skip
    pump_until(session, lambda: settled(session))
    asyncio.run(session.stop())
    return log


def test_channel_lines_in_order_and_issue_closed(
    tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]
) -> None:
    slack, github = fakes
    log = run_incident(tmp_path, slack, github)
    names = [c.name for c in slack.channels.values()]
    channel = next(n for n in names if n.startswith("inc-20260304-"))
    texts = slack.texts(channel)
    expected = ["declared by ana", "Incident Commander: bruno", "note by ana",
                "milestone acknowledged", "mitigation RB-001/restart requested",
                "mitigation RB-001/restart ok", "milestone resolved"]  # fmt: skip
    positions = [next(i for i, t in enumerate(texts) if part in t) for part in expected]
    assert positions == sorted(positions), texts
    assert all(t.startswith("[02:10:00Z] ") for t in texts)
    # Outside text is escaped for Slack, never a link, mention or markup.
    assert "OCR &lt;down&gt; *now*" in texts[0]
    found = slack.channel(channel)
    assert found is not None and set(PEOPLE.values()) <= set(found.members)
    assert any("acknowledged by ana" in t for t in slack.texts("incidents"))

    issue = github.issues[1]
    assert issue.labels == ["incident", "SEV-2", "sre"]
    assert "OCR <down> *now*" in issue.title
    assert issue.state == "closed" and issue.state_reason == "completed"
    assert "milestone acknowledged" in issue.comments[0]
    assert "milestone resolved" in issue.comments[-2]
    assert issue.comments[-1] == "Post-mortem (default)\n\n# OCR down\n\n*Cause*: a bad deploy"

    outcomes = outcomes_in(log)
    assert all(isinstance(p, ChatPosted | TicketUpdated) and p.ok for p in outcomes)
    chat = [p for p in outcomes if isinstance(p, ChatPosted)]
    assert len(chat) == len(texts) + 1  # and the announcement in #incidents
    ticket = [p for p in outcomes if isinstance(p, TicketUpdated)]
    assert [p.kind for p in ticket] == ["open", "comment", "comment", "close", "postmortem"]
    assert ticket[0].number == 1


def test_no_token_in_log_or_requests(tmp_path: Path, fakes: tuple[SlackFake, GitHubFake]) -> None:
    slack, github = fakes
    log = run_incident(tmp_path, slack, github)
    text = log.read_text()
    assert slack.token not in text and github.token not in text
