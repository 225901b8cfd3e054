"""Kubernetes answering 401, 403, 410 or not at all: one clear line, an event, nothing blocked."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from conftest import K8S_TOKEN
from kubernetes import client as k8s
from rb_support import LogBox, bind, runner

from cockpit.runbook.exec.base import StepResult, StepTargets
from cockpit.runbook.model import Runbook
from cockpit.sim.k8s_fake import FAULT_USER, K8sFake, make_k8s_client

PODS = r"/namespaces/kyc/pods$"
DEPLOYMENT = r"/deployments/kyc-svc$"


def _step(runbook: Runbook, step_id: str) -> Any:
    step = runbook.step(step_id)
    assert step is not None
    return step


def _one_line(text: str) -> None:
    assert text and "\n" not in text and "Traceback" not in text and len(text) <= 300


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, ("401 Unauthorized", "renew the kubeconfig token")),
        (403, ("403 pods is forbidden", FAULT_USER, "RBAC")),
        (410, ("410 too old resource version", "run the step again")),
    ],
)
def test_a_read_refused_by_the_api_is_one_clear_line(
    k8s_fake: K8sFake,
    k8s_targets: StepTargets,
    logbox: LogBox,
    runbooks: dict[str, Runbook],
    status: int,
    words: tuple[str, ...],
) -> None:
    runbook = runbooks["RB-002"]
    k8s_fake.set_fault(PODS, status=status)
    result = runner(runbook, logbox, k8s_targets).run(_step(runbook, "ocr-pods"), bind(runbook))
    assert result.outcome == "failed"
    _one_line(result.summary)
    for word in words:
        assert word in result.summary
    assert logbox.types() == ["step.requested", "step.completed"]
    (run,) = logbox.state.steps.values()
    assert run.outcome == "failed" and run.summary == result.summary


def test_a_forbidden_dry_run_stops_the_mitigation_before_the_dialog(
    k8s_fake: K8sFake, k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    k8s_fake.set_fault(DEPLOYMENT, status=403, method="PATCH")
    asked: list[object] = []
    result = runner(runbook, logbox, k8s_targets).run(
        _step(runbook, "fallback-ocr"), bind(runbook), confirm=asked.append
    )
    assert result.outcome == "failed" and not asked
    assert "refused the dry run: 403" in result.summary
    _one_line(result.summary)
    assert logbox.types() == ["mitigation.requested", "mitigation.completed"]
    (run,) = logbox.state.mitigations.values()
    assert run.outcome == "failed" and "permission denied" in run.summary
    api = make_k8s_client(k8s_fake.url, token=K8S_TOKEN)
    try:
        dep = k8s.AppsV1Api(api).read_namespaced_deployment("kyc-svc", "kyc")
    finally:
        api.close()
    env = {e.name: e.value for e in dep.spec.template.spec.containers[0].env or ()}
    assert env["OCR_PRIMARY"] == "internal"


def test_an_expired_read_during_planning_is_logged(
    k8s_fake: K8sFake, k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    k8s_fake.set_fault(DEPLOYMENT, status=410, method="GET", times=1)
    step = _step(runbook, "fallback-ocr")
    run = runner(runbook, logbox, k8s_targets)
    expired = run.run(step, bind(runbook), confirm=lambda asked: True)
    assert expired.outcome == "failed" and "410" in expired.summary
    # The advice holds: the next attempt goes through.
    assert run.run(step, bind(runbook), confirm=lambda asked: True).outcome == "ok"
    outcomes = [r.outcome for r in logbox.state.mitigations.values()]
    assert outcomes == ["failed", "ok"]


def test_a_hung_api_ends_at_the_deadline_and_blocks_nothing_else(
    k8s_fake: K8sFake, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    targets = StepTargets(k8s_client=lambda: make_k8s_client(k8s_fake.url, K8S_TOKEN, 0.5))
    k8s_fake.set_fault(PODS, delay_s=5)
    run = runner(runbook, logbox, targets)
    hung = run.start(_step(runbook, "ocr-pods"))
    logbox.append_all(hung.prepare(bind(runbook)))
    logbox.append_all(hung.request())
    hung.confirm(None)
    box: list[tuple[StepResult, float]] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: box.append(hung.execute()))
    worker.start()
    # While that call hangs, another step runs and the log takes its events.
    other = run.run(_step(runbook, "ocr-events"), bind(runbook))
    assert other.outcome == "ok" and worker.is_alive()
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - started < 3
    result, ms = box[0]
    logbox.append_all(hung.finish(result, ms))
    assert result.outcome == "timeout" and "did not answer in time" in result.summary
    _one_line(result.summary)
    outcomes = {r.step: r.outcome for r in logbox.state.steps.values()}
    assert outcomes == {"ocr-pods": "timeout", "ocr-events": "ok"}
