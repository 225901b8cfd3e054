"""Mitigations run only after confirmation and leave request + outcome in the log."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import psycopg
import pytest
from kubernetes import client as k8s
from rb_support import LogBox, bind, runner

from cockpit.actions.step_run import Phase
from cockpit.actions.step_where import Confirmation
from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook

NS = "kyc"


def _api(targets: StepTargets) -> Any:
    assert targets.k8s_client is not None
    return targets.k8s_client()


def _deployment(targets: StepTargets, name: str) -> Any:
    api = _api(targets)
    try:
        return k8s.AppsV1Api(api).read_namespaced_deployment(name, NS)
    finally:
        api.close()


def _env(dep: Any) -> dict[str, str]:
    return {e.name: e.value for e in dep.spec.template.spec.containers[0].env or ()}


def test_set_env_shows_the_diff_and_applies_after_yes(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    step = runbook.step("fallback-ocr")
    assert step is not None
    seen: list[Confirmation] = []

    def confirm(asked: Confirmation) -> bool:
        seen.append(asked)
        assert _env(_deployment(k8s_targets, "kyc-svc"))["OCR_PRIMARY"] == "internal"
        return True

    result = runner(runbook, logbox, k8s_targets).run(step, bind(runbook), confirm=confirm)
    assert result.outcome == "ok", result.summary
    what = seen[0].what
    assert "- OCR_PRIMARY=internal" in what and "+ OCR_PRIMARY=fallback_commercial" in what
    assert "dry run: accepted" in what
    assert _env(_deployment(k8s_targets, "kyc-svc"))["OCR_PRIMARY"] == "fallback_commercial"
    assert logbox.types() == [
        "mitigation.requested",
        "mitigation.confirmed",
        "mitigation.completed",
    ]
    (run,) = logbox.state.mitigations.values()
    assert run.what == what and run.outcome == "ok" and run.confirmed_by


def test_rollout_restart_needs_the_target_typed_back(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    step = runbook.step("ocr-restart")
    assert step is not None
    run = runner(runbook, logbox, k8s_targets)
    before = _deployment(k8s_targets, "ocr-svc").metadata.generation
    wrong = run.run(step, bind(runbook), confirm=lambda asked: "ocr")
    assert wrong.outcome == "refused"
    declined = run.run(step, bind(runbook), confirm=lambda asked: None)
    assert declined.outcome == "cancelled"
    assert _deployment(k8s_targets, "ocr-svc").metadata.generation == before
    done = run.run(step, bind(runbook), confirm=lambda asked: asked.typed_target)
    assert done.outcome == "ok", done.summary
    dep = _deployment(k8s_targets, "ocr-svc")
    assert dep.metadata.generation == before + 1
    assert "kubectl.kubernetes.io/restartedAt" in dep.spec.template.metadata.annotations
    outcomes = [m.outcome for m in logbox.state.mitigations.values()]
    assert outcomes == ["refused", "cancelled", "ok"]
    assert logbox.types().count("mitigation.requested") == 3


def test_scale_relative_is_capped_at_the_partition_count(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-003"]
    step = runbook.step("scale-consumers")
    assert step is not None
    labels = {"consumergroup": "screening", "topic": "kyc.events"}
    current = _deployment(k8s_targets, "kyc-consumer").spec.replicas
    bound = bind(runbook, labels, consumer="kyc-consumer", partitions=str(current + 2))
    result = runner(runbook, logbox, k8s_targets).run(step, bound, confirm=lambda asked: True)
    assert result.outcome == "ok", result.summary
    assert _deployment(k8s_targets, "kyc-consumer").spec.replicas == current + 2
    (run,) = logbox.state.mitigations.values()
    assert f"- {current}" in run.what and f"+ {current + 2} (capped at {current + 2})" in run.what
    assert run.params["consumer"] == {"value": "kyc-consumer", "from": "operator"}


def test_mitigations_refused_in_read_only_and_replay(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook], forbidden_rb: Runbook
) -> None:
    runbook = runbooks["RB-002"]
    step = runbook.step("fallback-ocr")
    assert step is not None
    for kw in ({"read_only": True}, {"replay": True}, {"may_mitigate": False}):
        run = runner(runbook, logbox, k8s_targets, **kw).start(step)
        run.prepare(bind(runbook))
        assert run.phase is Phase.REFUSED and run.planned is None, kw
    forbidden = forbidden_rb.step("drop-topic")
    assert forbidden is not None
    refused = runner(forbidden_rb, logbox, k8s_targets).start(forbidden)
    refused.prepare(bind(forbidden_rb))
    assert refused.phase is Phase.REFUSED and "CTO approval" in refused.summary
    assert logbox.types() == []
    assert _env(_deployment(k8s_targets, "kyc-svc"))["OCR_PRIMARY"] == "internal"


@pytest.mark.servers
def test_rb004_terminates_a_session_idle_in_transaction(
    pg_server, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-004"]
    # The shipped pattern starts at one minute; zero lets the test's session qualify at once.
    idle = dataclasses.replace(runbook.param("idle_minutes"), pattern="[0-9]{1,4}")  # type: ignore[arg-type]
    runbook = dataclasses.replace(
        runbook, params=tuple(idle if p.name == "idle_minutes" else p for p in runbook.params)
    )
    step = runbook.step("kill-idle")
    assert step is not None
    victim = psycopg.connect(pg_server.dsn, application_name="victim-idle-tx")
    victim.execute("SELECT 1")  # opens a transaction and leaves it idle
    pid = victim.info.backend_pid
    # Diagnostics keep the read-only login; the mitigation has its own.
    targets = StepTargets(postgres_dsn=pg_server.ro_dsn, postgres_mitigation_dsn=pg_server.dsn)
    run = runner(runbook, logbox, targets)
    declined = run.run(step, bind(runbook, idle_minutes="0"), confirm=lambda asked: None)
    assert declined.outcome == "cancelled" and _alive(pg_server.dsn, pid)
    result = run.run(step, bind(runbook, idle_minutes="0"), confirm=lambda asked: "terminate-idle")
    assert result.outcome == "ok", result.summary
    assert str(pid) in [r[0] for r in result.rows]
    assert not _alive(pg_server.dsn, pid)
    with pytest.raises(psycopg.OperationalError):
        victim.execute("SELECT 1")
    victim.close()
    runs = list(logbox.state.mitigations.values())
    assert [r.outcome for r in runs] == ["cancelled", "ok"]
    assert "%(idle_minutes)s = 0" in runs[1].what and runs[1].typed_target == "terminate-idle"


def _alive(dsn: str, pid: int) -> bool:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return bool(row and row[0])


def test_execute_runs_off_the_caller_thread(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    """prepare/request on one thread, execute on a worker, finish back on the first."""
    runbook = runbooks["RB-002"]
    step = runbook.step("ocr-pods")
    assert step is not None
    run = runner(runbook, logbox, k8s_targets).start(step)
    logbox.append_all(run.prepare(bind(runbook)))
    logbox.append_all(run.request())
    run.confirm(None)
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(run.execute()))
    started = time.monotonic()
    worker.start()
    worker.join(10)
    result, ms = box[0]
    logbox.append_all(run.finish(result, ms))
    assert result.outcome == "ok" and len(result.rows) == 2 and time.monotonic() - started < 10
    assert all(r[0].startswith("ocr-svc-") for r in result.rows)
    assert logbox.types() == ["step.requested", "step.completed"]
