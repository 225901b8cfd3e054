"""Records the demo incident into a log on a virtual clock: the sample shipped for replay/export.

`python -m cockpit.sim.sample OUT.jsonl` polls the demo platform every 2 scenario seconds
through the real source classes and the real recorder, and adds the operator's side of the
story (declaration, roles, notes, a diagnostic, a mitigation, status updates, milestones) at
scripted moments. The clock is frozen and stepped, so every run tells the same story (only the
measured poll durations differ).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.clock import FrozenClock, rfc3339
from cockpit.domain.channel import channel_name, incident_id
from cockpit.feed import ObservationFeed
from cockpit.log import events as ev
from cockpit.log.store import IncidentLog
from cockpit.sim.demo import DemoPlatform
from cockpit.sources.base import Snapshot, SourceError
from cockpit.wiring import PlannedSource, demo_sources

START = datetime(2026, 3, 12, 2, 47, 0, tzinfo=UTC)
STEP_S = 2.0
DURATION_S = 400.0
TITLE = "KYC onboarding slow: PostgreSQL connections exhausted"
IC, COMMS, SCRIBE = "alice@bastion-1", "bruno@bastion-1", "chloe@bastion-1"


def _operator(clock: FrozenClock) -> dict[int, Sequence[ev.Payload]]:
    """Operator events keyed by the scenario second at which they are appended."""
    declared = START.replace(second=0)
    inc_id = incident_id(TITLE, declared)
    detected = rfc3339(START + timedelta(seconds=56))
    return {
        66: (
            ev.IncidentDeclared(
                incident_id=inc_id,
                title=TITLE,
                severity="SEV-2",
                channel=channel_name(TITLE, declared),
                detected_at=detected,
                services=("kyc-svc", "postgres"),
                tenants=("acme-bank",),
                actor=IC,
            ),
            ev.RoleAssigned(role="Incident Commander", person=IC, actor=IC),
            ev.MilestoneSet(milestone="acknowledged", at=rfc3339(clock.now()), actor=IC),
        ),
        80: (
            ev.RoleAssigned(role="Communications Lead", person=COMMS, actor=IC),
            ev.RoleAssigned(role="Scribe", person=SCRIBE, actor=IC),
        ),
        96: (
            ev.StepRunRequested(
                run_id="run-1",
                runbook="RB-004",
                step="who-holds",
                kind="sql",
                role="diagnose",
                what="SELECT application_name, state, count(*) FROM pg_stat_activity ...",
                actor=IC,
            ),
            ev.StepRunCompleted(
                run_id="run-1",
                runbook="RB-004",
                step="who-holds",
                outcome="ok",
                summary="idle in transaction: 104 sessions, all application_name=kyc-svc",
                duration_ms=41.0,
                actor=IC,
            ),
            ev.NoteAdded(
                note_id="n-1",
                text="Sessions idle in transaction all come from kyc-svc since 2.14.0 went out.",
                author=SCRIBE,
                tags=("hypothesis",),
            ),
        ),
        110: (
            ev.StatusUpdatePosted(
                phase="investigating",
                text="Identity checks are slower than usual. We are investigating.",
                actor=COMMS,
            ),
        ),
        150: (
            ev.NoteAdded(
                note_id="n-2",
                text="Decision: roll kyc-svc back to 2.13.4 instead of raising max_connections.",
                author=SCRIBE,
                tags=("decision",),
            ),
            ev.MilestoneSet(milestone="identified", at=rfc3339(clock.now()), actor=IC),
            ev.StatusUpdatePosted(
                phase="identified",
                text="A faulty release of the identity service is the cause. A fix is underway.",
                actor=COMMS,
            ),
        ),
        296: (
            ev.MitigationRequested(
                run_id="run-2",
                runbook="RB-004",
                step="rollback",
                kind="k8s",
                what=(
                    "rollout-undo deployment/kyc-svc in namespace kyc\n"
                    "  revision 42 -> template of revision 41\n"
                    "  - image registry.local/kyc-svc:2.14.0\n"
                    "  + image registry.local/kyc-svc:2.13.4\n"
                    "Server-side dry run: accepted"
                ),
                params={
                    "namespace": {"value": "kyc", "from": "default"},
                    "service": {"value": "kyc-svc", "from": "operator"},
                },
                actor=IC,
            ),
            ev.MitigationConfirmed(run_id="run-2", actor=IC, typed_target="kyc-svc"),
        ),
        300: (
            ev.MitigationCompleted(
                run_id="run-2",
                outcome="ok",
                summary=(
                    "deployment/kyc-svc rolled back to the template of revision 41 "
                    "(now revision 43): registry.local/kyc-svc:2.13.4"
                ),
                duration_ms=3900.0,
                actor=IC,
            ),
            ev.MilestoneSet(milestone="mitigated", at=rfc3339(clock.now()), actor=IC),
            ev.StatusUpdatePosted(
                phase="monitoring",
                text="A fix has been deployed. Identity checks are recovering.",
                actor=COMMS,
            ),
        ),
        372: (
            ev.MilestoneSet(milestone="resolved", at=rfc3339(clock.now()), actor=IC),
            ev.StatusUpdatePosted(
                phase="resolved",
                text="Identity checks are back to normal since 02:53 UTC.",
                actor=COMMS,
            ),
            ev.NoteAdded(
                note_id="n-3",
                text="Add a CI check that fails when a code path leaves a transaction open.",
                author=SCRIBE,
                tags=("action-item",),
            ),
        ),
    }


async def record_sample(path: Path, duration_s: float = DURATION_S) -> int:
    """Write the sample log to `path` (replaced if present); returns the number of events."""
    path.unlink(missing_ok=True)
    clock = FrozenClock(START)
    platform = DemoPlatform(clock, speed=1.0).start()
    log, _ = IncidentLog.open(path, clock=clock, mode="demo", host="bastion-1", user="demo")
    try:
        planned: list[PlannedSource] = demo_sources(
            platform.prometheus_url, platform.alertmanager_url
        )
        log.append(
            ev.SourcesConfigured(
                sources=tuple(
                    {"name": p.source.name, "kind": p.source.kind, "interval_s": p.interval_s}
                    for p in planned
                ),
                environment="demo",
            )
        )
        feed = ObservationFeed(log, clock)
        elapsed = 0
        while elapsed <= duration_s:
            for item in planned:
                result: Snapshot | SourceError
                try:
                    result = await item.source.poll()
                except SourceError as exc:  # recorded as a failure, as the live app does
                    result = exc
                feed.on_result(item.source.name, result, 0.0)
            for second in range(elapsed, elapsed + int(STEP_S)):
                for payload in _operator(clock).get(second, ()):
                    log.append(payload)
            clock.advance(STEP_S)
            elapsed += int(STEP_S)
        log.append(ev.LogClosed(reason="end of the demo recording"))
        for item in planned:
            closer = getattr(item.source, "aclose", None)
            if closer is not None:
                await closer()
        return log.last_seq
    finally:
        log.close()
        platform.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: `python -m cockpit.sim.sample OUT [--duration S]`."""
    parser = argparse.ArgumentParser(prog="python -m cockpit.sim.sample", description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--duration", type=float, default=DURATION_S)
    args = parser.parse_args(argv)
    count = asyncio.run(record_sample(args.out, args.duration))
    print(f"{args.out}: {count} events", file=sys.stderr)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
