"""The step run state machine with an injected confirmer: yes, no, refused, typed target."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rb_support import LogBox, Steps, bind, runner

from cockpit.actions.step_drive import drive
from cockpit.actions.step_gate import offered
from cockpit.actions.step_run import Answer, Phase, PhaseError
from cockpit.actions.step_where import Confirmation
from cockpit.demo_setup import demo_targets
from cockpit.log.events import Payload
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.exec.base import StepTargets, Where
from cockpit.runbook.model import Runbook
from cockpit.runbook.parse import parse_runbook
from cockpit.runbook.safety import changes_platform

RUNBOOK = """---
id: RB-905
title: A local mitigation
severity: SEV-4
params:
  - name: flag
    pattern: '.*'
    source: label:flag
---

```exec id=touch role=mitigate title="Create the flag file" confirm=yes target=flag-file
["PYTHON", "-c", "import sys, pathlib; pathlib.Path(sys.argv[1]).touch()", "{{ flag }}"]
```
"""
WHERE = Where("staging", False, "gke-staging", "ns-default", "db.internal", "kyc", "bastion-2")


@pytest.fixture
def local(tmp_path: Path) -> Runbook:
    path = tmp_path / "RB-905.md"
    path.write_text(RUNBOOK.replace("PYTHON", sys.executable))
    return parse_runbook(path)


class Confirmer:
    """Answers every confirmation with `answer` and keeps what it was asked."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.asked: list[Confirmation] = []

    def __call__(self, asked: Confirmation) -> Answer:
        self.asked.append(asked)
        return asked.typed_target if self.answer == "TYPE IT" else self.answer


def _go(steps: Steps, local: Runbook, flag: Path, confirm: Confirmer) -> Phase:
    run = steps.start(local.steps[0])
    out = drive(run, bind(local, {"flag": str(flag)}), confirm=confirm, append=steps.box.append)
    return out.phase


def test_yes_runs_and_logs_request_confirm_outcome(
    local: Runbook, logbox: LogBox, tmp_path: Path
) -> None:
    flag, yes = tmp_path / "flag", Confirmer(True)
    steps = runner(local, logbox, StepTargets(where=WHERE))
    assert _go(steps, local, flag, yes) is Phase.FINISHED
    assert flag.exists()
    assert logbox.types() == [
        "mitigation.requested",
        "mitigation.confirmed",
        "mitigation.completed",
    ]
    (run,) = logbox.state.mitigations.values()
    assert run.outcome == "ok" and run.confirmed_by and "nadia" in run.requested_by
    (asked,) = yes.asked
    assert asked.typed_target is None and not asked.production
    assert dict(asked.where) == {"environment": "staging", "runs on": "bastion-2"}


def test_no_cancels_and_logs(local: Runbook, logbox: LogBox, tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    assert _go(runner(local, logbox, StepTargets()), local, flag, Confirmer(False)) is (
        Phase.CANCELLED
    )
    assert not flag.exists()
    assert logbox.types() == ["mitigation.requested", "mitigation.completed"]
    (run,) = logbox.state.mitigations.values()
    assert run.outcome == "cancelled" and run.confirmed_by is None


def test_refused_by_permission_is_logged_and_never_asked(
    local: Runbook, logbox: LogBox, tmp_path: Path
) -> None:
    flag, yes = tmp_path / "flag", Confirmer(True)
    steps = runner(local, logbox, StepTargets(), read_only=True)
    assert _go(steps, local, flag, yes) is Phase.REFUSED
    assert not flag.exists() and yes.asked == []
    assert logbox.types() == ["mitigation.requested", "mitigation.completed"]
    (run,) = logbox.state.mitigations.values()
    assert run.outcome == "refused" and "--read-only" in run.summary


def test_prod_needs_the_target_typed_back(local: Runbook, logbox: LogBox, tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    prod = StepTargets(where=Where("prod", True, exec_host="bastion-1"))
    steps = runner(local, logbox, prod, production=True)
    yes = Confirmer(True)  # a plain yes is not enough in PROD
    assert _go(steps, local, flag, yes) is Phase.REFUSED and not flag.exists()
    (asked,) = yes.asked
    assert asked.production and asked.typed_target == "flag-file"
    assert asked.where[0] == ("environment", "prod (PROD)")
    assert _go(steps, local, flag, Confirmer("flag")) is Phase.REFUSED and not flag.exists()
    assert _go(steps, local, flag, Confirmer("TYPE IT")) is Phase.FINISHED and flag.exists()
    outcomes = [m.outcome for m in logbox.state.mitigations.values()]
    assert outcomes == ["refused", "refused", "ok"]
    assert [m.typed_target for m in logbox.state.mitigations.values()][-1] == "flag-file"


def test_phases_are_enforced_and_nothing_runs_unlogged(
    local: Runbook, logbox: LogBox, tmp_path: Path
) -> None:
    flag = tmp_path / "flag"
    steps = runner(local, logbox, StepTargets())
    run = steps.start(local.steps[0])
    with pytest.raises(PhaseError):
        run.execute()
    assert run.prepare(bind(local, {"flag": str(flag)})) == ()
    with pytest.raises(PhaseError):
        run.confirm(True)

    def broken(payload: Payload) -> None:
        raise OSError("disk full")

    fresh = steps.start(local.steps[0])
    out = drive(fresh, bind(local, {"flag": str(flag)}), confirm=Confirmer(True), append=broken)
    assert out.outcome == "failed" and "disk full" in out.summary and not out.ran
    assert not flag.exists()


def test_a_k8s_confirmation_names_context_and_namespace(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    step = runbook.step("fallback-ocr")
    assert step is not None
    targets = StepTargets(k8s_client=k8s_targets.k8s_client, where=WHERE)
    no = Confirmer(None)
    runner(runbook, logbox, targets).run(step, bind(runbook), confirm=no)
    (asked,) = no.asked
    # The step's own namespace wins over the configured default.
    assert dict(asked.where) == {
        "environment": "staging",
        "context": "gke-staging",
        "namespace": "kyc",
    }
    assert "context gke-staging" in asked.where_line()


def test_a_sql_confirmation_names_the_write_logins_host_and_database(
    logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-004"]
    step = runbook.step("kill-idle")
    assert step is not None
    targets = StepTargets(
        postgres_dsn="host=replica.db dbname=kyc user=ro password=hunter2",
        postgres_mitigation_dsn="postgresql://ops:s3cret@primary.db:6432/kyc",
        where=Where("prod", True),
    )
    no = Confirmer(None)
    assert runner(runbook, logbox, targets).run(step, bind(runbook), confirm=no).outcome == (
        "cancelled"
    )
    (asked,) = no.asked
    assert dict(asked.where) == {
        "environment": "prod (PROD)",
        "database host": "primary.db:6432",
        "database": "kyc",
    }
    assert "s3cret" not in repr(asked) and "s3cret" not in repr(logbox.events)


def test_an_http_confirmation_names_the_url_host(
    logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-006"]
    step = runbook.step("rebuild-xml")
    assert step is not None
    bound = bind(runbook, {"tenant": "acme"}, api_host="tcr.kyc.svc", declaration_id="D-1")
    no = Confirmer(None)
    runner(runbook, logbox, StepTargets(where=WHERE)).run(step, bound, confirm=no)
    (asked,) = no.asked
    assert dict(asked.where) == {"environment": "staging", "url host": "tcr.kyc.svc"}


def test_a_demo_confirmation_says_the_simulated_toolbox_answers(
    logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-003"]
    step = runbook.step("add-partitions")
    assert step is not None
    targets = demo_targets("http://127.0.0.1:9", None, {})
    labels = {"consumergroup": "screening", "topic": "kyc.events"}
    no = Confirmer(None)
    runner(runbook, logbox, targets).run(step, bind(runbook, labels, partitions="12"), confirm=no)
    (asked,) = no.asked
    assert dict(asked.where) == {
        "environment": "demo",
        "answered by": "the simulated toolbox",
    }
    assert asked.typed_target == "kyc.events"  # danger: typed even outside PROD


LOCKED = {
    "replay": Permissions.decide(Mode.REPLAY),
    "live --read-only": Permissions.decide(Mode.LIVE, read_only=True),
    "read-only environment": Permissions.decide(
        Mode.LIVE, environment="prod", environment_read_only=True, production=True
    ),
    "viewer": Permissions.decide(Mode.LIVE, role="viewer"),
    "demo --read-only": Permissions.decide(Mode.DEMO, read_only=True),
}


@pytest.mark.parametrize("name", sorted(LOCKED))
def test_no_step_that_changes_the_platform_runs_in_a_locked_session(
    name: str, logbox: LogBox, runbooks: dict[str, Runbook], forbidden_rb: Runbook
) -> None:
    permissions = LOCKED[name]
    checked = 0
    for runbook in [*runbooks.values(), forbidden_rb]:
        shown, why = offered(runbook, permissions)
        for step in runbook.steps:
            if not changes_platform(step):
                continue
            assert step not in shown or step.forbidden, (name, runbook.id, step.id)
            steps = Steps(runbook, logbox, StepTargets(), permissions)
            run = steps.start(step)
            logbox.append_all(run.prepare(bind(runbook)))
            assert run.phase is Phase.REFUSED and run.planned is None, (name, step.id)
            checked += 1
        assert why or len(shown) == len(runbook.steps)
    assert checked >= 10  # every shipped mitigation, and more
    # Refused attempts are logged, except in a replay (its log is never changed).
    logged = [m.outcome for m in logbox.state.mitigations.values()]
    assert logged == ([] if name == "replay" else ["refused"] * checked)


def test_a_demo_sql_confirmation_names_the_embedded_database(
    logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    """With the demo's embedded server, SQL runs there, and the confirmation says so."""
    runbook = runbooks["RB-004"]
    step = runbook.step("kill-idle")
    assert step is not None
    dsn = "host=/tmp/cockpit-demo-pg-x port=5432 dbname=kyc user=cockpit_ops"
    targets = demo_targets("http://127.0.0.1:9", None, {}, postgres_dsn=dsn)
    no = Confirmer(None)
    runner(runbook, logbox, targets).run(step, bind(runbook, {}), confirm=no)
    (asked,) = no.asked
    assert dict(asked.where) == {
        "environment": "demo",
        "database host": "the demo's embedded PostgreSQL (local socket)",
        "database": "kyc",
    }
