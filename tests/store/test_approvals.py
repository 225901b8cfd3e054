"""Two-person rule: a request, another user's approval by typing the target, then the run;
on one bastion's log file and on the shared store."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from stack.postgres import PostgresServer

from cockpit.actions.approvals import APPROVAL_VALID_S, ApprovalBook, decide
from cockpit.actions.step_drive import StepOutcome, drive
from cockpit.actions.step_run import Answer, Phase, StepRun
from cockpit.actions.step_where import Confirmation
from cockpit.clock import FrozenClock
from cockpit.log.pgstore import StoreLog
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.exec.base import Operator, StepTargets, Where
from cockpit.runbook.model import Runbook
from cockpit.runbook.params import bind_params, source_keys
from cockpit.runbook.parse import parse_runbook
from cockpit.settings.secrets import Secret

RUNBOOK = """---
id: RB-916
title: A step under the two-person rule
severity: SEV-2
params:
  - name: flag
    pattern: '.*'
    source: label:flag
---

```exec id=purge role=mitigate title="Create the flag" confirm=typed target=purge-it approval="CTO"
["PYTHON", "-c", "import sys, pathlib; pathlib.Path(sys.argv[1]).touch()", "{{ flag }}"]
```
"""
WHERE = Where("staging", False, "gke-staging", "ns-default", "db.internal", "kyc", "bastion-1")
PERMS = Permissions.decide(Mode.LIVE, read_only=False, environment="test", role="responder")
T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


@dataclass
class Party:
    """One responder: their own log handle (file or store), the approvals they folded."""

    log: IncidentLog
    operator: Operator
    clock: FrozenClock
    book: ApprovalBook = field(default_factory=ApprovalBook)

    def pump(self) -> list[str]:
        events = self.log.poll()
        self.book.apply_all(events)
        return [e.type for e in events]

    def run(self, runbook: Runbook, flag: Path) -> StepOutcome:
        self.pump()
        targets = StepTargets(where=WHERE)
        run = StepRun(runbook, runbook.steps[0], permissions=PERMS, targets=targets,
                      operator=self.operator, approvals=self.book, clock=self.clock)  # fmt: skip
        bound = bind_params(runbook, source_keys(labels={"flag": str(flag)}))
        return drive(run, bound, confirm=_type_it, append=self.log.append)


def _type_it(asked: Confirmation) -> Answer:
    return asked.typed_target


@pytest.fixture
def runbook(tmp_path: Path) -> Runbook:
    path = tmp_path / "RB-916.md"
    path.write_text(RUNBOOK.replace("PYTHON", sys.executable), encoding="utf-8")
    return parse_runbook(path)


def _until(party: Party, seen: Callable[[], bool]) -> None:
    """Fold `party`'s log until `seen` (another host learns a line through LISTEN/NOTIFY,
    within a second)."""
    deadline = time.monotonic() + 2.0
    while True:
        party.pump()
        if seen():
            return
        assert time.monotonic() < deadline, "the other responder's event never arrived"
        time.sleep(0.05)


def _two_person_rule(alice: Party, bob: Party, runbook: Runbook, flag: Path) -> None:
    first = alice.run(runbook, flag)
    assert first.phase is Phase.AWAITING_APPROVAL and not flag.exists()
    again = alice.run(runbook, flag)  # asking twice does not file a second request
    assert again.phase is Phase.AWAITING_APPROVAL and "still waits" in again.summary
    alice.pump()
    (request_id,) = alice.book.requests
    mine = decide(alice.book, request_id, actor=alice.operator.actor, typed="purge-it",
                  approve=True, now=alice.clock.now())  # fmt: skip
    assert isinstance(mine, str) and "another person" in mine
    _until(bob, lambda: request_id in bob.book.requests)
    assert [a.request.request_id for a in bob.book.open_for(bob.operator.actor, T0)] == [request_id]
    wrong = decide(bob.book, request_id, actor=bob.operator.actor, typed="purge",
                   approve=True, now=bob.clock.now())  # fmt: skip
    assert isinstance(wrong, str) and "does not match" in wrong
    yes = decide(bob.book, request_id, actor=bob.operator.actor, typed="purge-it",
                 approve=True, now=bob.clock.now())  # fmt: skip
    assert not isinstance(yes, str)
    bob.log.append(yes)
    _until(alice, lambda: alice.book.requests[request_id].decision == "approved")
    done = alice.run(runbook, flag)
    assert done.phase is Phase.FINISHED and flag.exists(), done.summary
    types = alice.pump()
    assert alice.book.requests[request_id].used_by_run == done.run_id
    assert "approval.used" in types or alice.book.requests[request_id].used_by_run
    # Used once: the next run needs a new approval.
    flag.unlink()
    assert alice.run(runbook, flag).phase is Phase.AWAITING_APPROVAL and not flag.exists()


def test_approval_by_another_user_on_one_bastions_log(runbook: Runbook, tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    path = tmp_path / "incident.jsonl"
    a_log, _ = IncidentLog.open(path, clock=clock)
    b_log, _ = IncidentLog.open(path, clock=clock)
    alice = Party(a_log, Operator("alice", "bastion-1"), clock)
    bob = Party(b_log, Operator("bob", "bastion-1"), clock)
    _two_person_rule(alice, bob, runbook, tmp_path / "flag")
    a_log.close()
    b_log.close()


def test_same_user_on_another_host_is_not_a_second_person(runbook: Runbook, tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(tmp_path / "incident.jsonl", clock=clock)
    alice = Party(log, Operator("alice", "bastion-1"), clock)
    assert alice.run(runbook, tmp_path / "flag").phase is Phase.AWAITING_APPROVAL
    alice.pump()
    (request_id,) = alice.book.requests
    refused = decide(alice.book, request_id, actor="alice@laptop-7", typed="purge-it",
                     approve=True, now=T0)  # fmt: skip
    assert isinstance(refused, str) and "two-person rule" in refused
    log.close()


def test_an_approval_expires_and_a_rejection_stops_the_run(
    runbook: Runbook, tmp_path: Path
) -> None:
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(tmp_path / "incident.jsonl", clock=clock)
    alice = Party(log, Operator("alice", "bastion-1"), clock)
    flag = tmp_path / "flag"
    alice.run(runbook, flag)
    alice.pump()
    (first,) = alice.book.requests
    approved = decide(alice.book, first, actor="bob@bastion-2", typed="purge-it", approve=True,
                      now=clock.now())  # fmt: skip
    assert not isinstance(approved, str)
    log.append(approved)
    clock.advance(APPROVAL_VALID_S + 1)
    late = alice.run(runbook, flag)
    assert late.phase is Phase.AWAITING_APPROVAL and not flag.exists()
    alice.pump()
    second = next(r for r in alice.book.requests if r != first)
    rejected = decide(alice.book, second, actor="bob@bastion-2", typed="purge-it",
                      approve=False, now=clock.now())  # fmt: skip
    assert not isinstance(rejected, str)
    log.append(rejected)
    assert alice.run(runbook, flag).phase is Phase.AWAITING_APPROVAL and not flag.exists()
    alice.pump()
    assert alice.book.requests[second].decision == "rejected"
    log.close()


def test_approval_by_another_user_on_another_host_through_the_store(
    runbook: Runbook, tmp_path: Path, pg_server: PostgresServer, incident: str
) -> None:
    clock = FrozenClock(T0)
    dsn = Secret(pg_server.dsn)
    a_log, _ = StoreLog.open_store(tmp_path / "a.jsonl", dsn=dsn, incident=incident, clock=clock)
    b_log, _ = StoreLog.open_store(tmp_path / "b.jsonl", dsn=dsn, incident=incident, clock=clock)
    alice = Party(a_log, Operator("alice", "bastion-1"), clock)
    bob = Party(b_log, Operator("bob", "laptop-3"), clock)

    try:
        _two_person_rule(alice, bob, runbook, tmp_path / "flag")
    finally:
        a_log.close()
        b_log.close()
    assert (tmp_path / "a.jsonl").read_bytes().startswith((tmp_path / "b.jsonl").read_bytes())
