"""A real log and session for action tests, and the PagerDuty fake they may reach."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from command.pd_support import pd_config

from cockpit.actions.core import Actions
from cockpit.clock import FrozenClock
from cockpit.command.options import CommandOptions
from cockpit.log.events import IncidentDeclared, NoteAdded, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Permissions
from cockpit.session import LiveSession
from cockpit.sim.pagerduty_fake import PagerDutyFake

START = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)
AUTHOR = "ana@bastion"
INCIDENT = "INC-20251110-ocr"


def open_session(path: Path, *, declared: bool = True, severity: str = "SEV-1") -> LiveSession:
    """A writable session on a fresh log; with an open incident and one note when declared.

    Writable on purpose, whatever the permissions under test: a missing refusal would write
    to this log, and the tests would see it."""
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(path, clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    if declared:
        session.append(IncidentDeclared(INCIDENT, "OCR down", severity, actor=AUTHOR))
        session.append(NoteAdded("n1", "ocr pods restart in a loop", AUTHOR))
    return session


def actions_for(
    session: LiveSession, permissions: Permissions, fake: PagerDutyFake | None = None
) -> Actions:
    """The session's actions, with PagerDuty pointing at `fake` when given."""
    command = CommandOptions(pagerduty=pd_config(fake, service_ids=()) if fake else None)
    return Actions.for_session(session, permissions, AUTHOR, command)


def writes(fake: PagerDutyFake) -> list[tuple[str, str]]:
    """Every request that could change PagerDuty: (method, path)."""
    return [(r.method, r.path) for r in fake.requests if r.method in ("POST", "PUT", "DELETE")]
