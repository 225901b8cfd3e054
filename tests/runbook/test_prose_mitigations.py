"""Mitigations that used to be prose, now steps on the Kubernetes loopback: the HikariCP pool
size in a ConfigMap then a restart (RB-001), a memory limit raise and the GPU node's
description (RB-002)."""

from __future__ import annotations

from typing import Any

from kubernetes import client as k8s
from rb_support import LogBox, bind, runner

from cockpit.actions.step_where import Confirmation
from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook

NS = "kyc"


def _api(targets: StepTargets) -> Any:
    assert targets.k8s_client is not None
    return targets.k8s_client()


def _configmap(targets: StepTargets, name: str) -> dict[str, str]:
    api = _api(targets)
    try:
        return dict(k8s.CoreV1Api(api).read_namespaced_config_map(name, NS).data)
    finally:
        api.close()


def _deployment(targets: StepTargets, name: str) -> Any:
    api = _api(targets)
    try:
        return k8s.AppsV1Api(api).read_namespaced_deployment(name, NS)
    finally:
        api.close()


def test_pool_size_through_the_configmap_then_a_restart(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-001"]
    pool, restart = runbook.step("pool-size"), runbook.step("pool-restart")
    assert pool is not None and restart is not None
    seen: list[Confirmation] = []

    def confirm(asked: Confirmation) -> object:
        seen.append(asked)
        return asked.typed_target or True

    bound = bind(runbook, {"service": "kyc-svc"}, pool_size="35")
    run = runner(runbook, logbox, k8s_targets)
    assert _configmap(k8s_targets, "kyc-svc-config")["HIKARI_MAXIMUM_POOL_SIZE"] == "20"
    result = run.run(pool, bound, confirm=confirm)
    assert result.outcome == "ok", result.summary
    assert "- HIKARI_MAXIMUM_POOL_SIZE=20" in seen[0].what
    assert "+ HIKARI_MAXIMUM_POOL_SIZE=35" in seen[0].what and "dry run: accepted" in seen[0].what
    assert _configmap(k8s_targets, "kyc-svc-config")["HIKARI_MAXIMUM_POOL_SIZE"] == "35"
    before = _deployment(k8s_targets, "kyc-svc").metadata.generation
    restarted = run.run(restart, bound, confirm=confirm)
    assert restarted.outcome == "ok", restarted.summary
    assert _deployment(k8s_targets, "kyc-svc").metadata.generation == before + 1


def test_memory_limit_raise_and_gpu_node(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    memory, node = runbook.step("ocr-memory"), runbook.step("gpu-node")
    assert memory is not None and node is not None
    seen: list[Confirmation] = []

    def confirm(asked: Confirmation) -> bool:
        seen.append(asked)
        return True

    run = runner(runbook, logbox, k8s_targets)
    result = run.run(memory, bind(runbook, memory_limit="4Gi"), confirm=confirm)
    assert result.outcome == "ok", result.summary
    assert "resources.limits.memory\n  - none\n  + 4Gi" in seen[0].what
    container = _deployment(k8s_targets, "ocr-svc").spec.template.spec.containers[0]
    assert container.resources.limits == {"memory": "4Gi"}
    assert container.resources.requests == {"cpu": "900m", "memory": "1536Mi"}
    described = run.run(node, bind(runbook, gpu_node="node-3"))
    assert described.outcome == "ok", described.summary
    assert "nvidia.com/gpu=1" in described.text and "MemoryPressure=True" in described.text
    missing = run.run(node, bind(runbook, gpu_node="node-9"))
    assert missing.outcome == "failed" and "node-9" in missing.summary
