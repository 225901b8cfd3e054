"""Silences on the real Alertmanager of the test stack: created, listed, expired, recorded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from stack.alertmanager import AlertmanagerServer

from cockpit.actions.core import Actions
from cockpit.actions.outcome import Done, Outcome, Refused
from cockpit.actions.silences import Silence, SilenceApi, SilenceDraft, matchers_from_labels
from cockpit.clock import SystemClock
from cockpit.command.options import CommandOptions
from cockpit.domain.timeline import build_timeline
from cockpit.export.run import export_markdown
from cockpit.log.events import IncidentDeclared, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.session import LiveSession

AUTHOR = "ana@bastion"
LABELS = {"alertname": "PostgresConnectionsExhausted", "service": "kyc-db", "severity": "page"}

pytestmark = pytest.mark.servers


def _actions(tmp_path: Path, am: AlertmanagerServer, *, read_only: bool = False) -> Actions:
    clock = SystemClock()  # Alertmanager refuses a silence that ends in the past
    tmp_path.mkdir(exist_ok=True)
    log, _report = IncidentLog.open(tmp_path / "incident.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    session.append(IncidentDeclared("INC-1", "Connections exhausted", "SEV-2", actor=AUTHOR))
    permissions = Permissions.decide(Mode.LIVE, read_only=read_only, environment="test")
    actions = Actions.for_session(session, permissions, AUTHOR, CommandOptions())
    actions.silence_api = SilenceApi(am.url)
    return actions


def _run(actions: Actions, result: Outcome | Refused) -> Done:
    assert isinstance(result, Outcome), result
    (followup,) = result.followups
    done = followup.run()
    actions.record(done)
    return done


def _listed(actions: Actions) -> list[Silence]:
    reading = actions.list_silences()
    assert not isinstance(reading, Refused)
    done = reading.run()
    assert done.ok, done.message
    return list(done.value)


def test_silence_created_listed_and_expired(
    tmp_path: Path, alertmanager_server: AlertmanagerServer
) -> None:
    actions = _actions(tmp_path, alertmanager_server)
    draft = SilenceDraft(matchers_from_labels(LABELS), timedelta(hours=2),
                         "kyc-svc is being rolled back", alert=LABELS["alertname"])  # fmt: skip
    created = _run(actions, actions.silence(draft))
    assert created.ok, created.message
    silence_id = created.value
    mine = {s.silence_id: s for s in _listed(actions)}[silence_id]
    assert mine.state == "active" and mine.created_by == AUTHOR
    assert {(m.name, m.value) for m in mine.matchers} == set(LABELS.items())
    assert mine.comment == "kyc-svc is being rolled back"
    assert mine.ends_at is not None and mine.starts_at is not None
    assert timedelta(minutes=119) < mine.ends_at - mine.starts_at <= timedelta(hours=2)

    expired = _run(actions, actions.expire_silence(mine))
    assert expired.ok, expired.message
    again = {s.silence_id: s for s in _listed(actions)}[silence_id]
    assert again.state == "expired"

    record = actions.ctx.state().current
    assert [(s.action, s.silence_id) for s in record.silences] == [
        ("created", silence_id), ("expired", silence_id)]  # fmt: skip
    lines = [e.text for e in build_timeline(actions.ctx.state()) if e.kind == "silence"]
    assert lines[0].startswith('silence created: alertname="PostgresConnectionsExhausted"')
    assert lines[1].startswith("silence expired:")
    report = export_markdown(tmp_path / "incident.jsonl").markdown
    assert "### Silences" in report and f"created {silence_id}" in report
    assert f"expired {silence_id}" in report and "· silence ·" in report


def test_silence_refused_read_only_and_without_comment(
    tmp_path: Path, alertmanager_server: AlertmanagerServer
) -> None:
    before = httpx.get(f"{alertmanager_server.url}/api/v2/silences", timeout=5).json()
    draft = SilenceDraft(matchers_from_labels(LABELS), timedelta(hours=1), "rollback running")
    read_only = _actions(tmp_path / "ro", alertmanager_server, read_only=True)
    refused = read_only.silence(draft)
    assert isinstance(refused, Refused) and "read-only" in refused.reason
    writable = _actions(tmp_path / "rw", alertmanager_server)
    no_comment = writable.silence(SilenceDraft(draft.matchers, draft.duration, "  "))
    assert isinstance(no_comment, Refused) and "comment is required" in no_comment.reason
    match_all = SilenceDraft((), draft.duration, "everything")
    assert isinstance(writable.silence(match_all), Refused)
    after = httpx.get(f"{alertmanager_server.url}/api/v2/silences", timeout=5).json()
    assert len(after) == len(before)
    assert read_only.ctx.state().current.silences == []
