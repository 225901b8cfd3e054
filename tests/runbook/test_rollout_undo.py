"""rollout-undo on the Kubernetes loopback: the previous ReplicaSet's template comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubernetes import client as k8s
from rb_support import LogBox, bind, runner

from cockpit.actions.step_where import Confirmation
from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook
from cockpit.runbook.parse import parse_runbook
from cockpit.sim.k8s_fake import K8sFake

NS = "kyc"


def _read(targets: StepTargets, name: str) -> Any:
    assert targets.k8s_client is not None
    api = targets.k8s_client()
    try:
        dep = k8s.AppsV1Api(api).read_namespaced_deployment(name, NS)
        rs = k8s.AppsV1Api(api).list_namespaced_replica_set(NS, label_selector=f"app={name}")
        return dep, rs.items
    finally:
        api.close()


def _image(dep: Any) -> str:
    return str(dep.spec.template.spec.containers[0].image)


def test_rollout_undo_restores_the_previous_template(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-004"]
    step = runbook.step("rollback")
    assert step is not None
    before, sets = _read(k8s_targets, "kyc-svc")
    assert _image(before) == "registry.local/kyc-svc:2.14.0"
    revisions = {rs.metadata.annotations["deployment.kubernetes.io/revision"] for rs in sets}
    assert revisions == {"1", "2"}
    old_rs = next(rs for rs in sets if rs.metadata.annotations[
        "deployment.kubernetes.io/revision"] == "1")  # fmt: skip
    seen: list[Confirmation] = []

    def confirm(asked: Confirmation) -> str:
        seen.append(asked)
        return asked.typed_target or ""

    run = runner(runbook, logbox, k8s_targets)
    result = run.run(step, bind(runbook, service="kyc-svc"), confirm=confirm)
    assert result.outcome == "ok", result.summary
    what = seen[0].what
    assert "revision 2 -> template of revision 1" in what
    assert "- image registry.local/kyc-svc:2.14.0" in what
    assert "+ image registry.local/kyc-svc:2.13.4" in what
    assert "dry run: accepted" in what
    after, sets = _read(k8s_targets, "kyc-svc")
    assert _image(after) == "registry.local/kyc-svc:2.13.4"
    assert after.metadata.annotations["deployment.kubernetes.io/revision"] == "3"
    restored = after.spec.template.to_dict()
    wanted = old_rs.spec.template.to_dict()
    wanted["metadata"]["labels"].pop("pod-template-hash")
    assert restored == wanted
    # As with kubectl, the old ReplicaSet is reused and takes the new revision.
    by_name = {rs.metadata.name: rs for rs in sets}
    assert by_name[old_rs.metadata.name].metadata.annotations[
        "deployment.kubernetes.io/revision"] == "3"  # fmt: skip
    assert by_name[old_rs.metadata.name].spec.replicas == after.spec.replicas
    assert "revision 1" in result.summary and "2.13.4" in result.summary
    (mitigation,) = logbox.state.mitigations.values()
    assert mitigation.outcome == "ok" and mitigation.what == what


def test_rollout_undo_without_history_or_in_read_only_changes_nothing(
    k8s_fake: K8sFake, k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-001"]
    step = runbook.step("rollback")
    assert step is not None
    bound = bind(runbook, {"service": "aml-svc"})
    result = runner(runbook, logbox, k8s_targets).run(step, bound, confirm=lambda a: "aml-svc")
    assert result.outcome == "refused" and "no revision before 1" in result.summary
    read_only = runner(runbook, logbox, k8s_targets, read_only=True)
    refused = read_only.run(step, bind(runbook, {"service": "kyc-svc"}), confirm=lambda a: "x")
    assert refused.outcome == "refused"
    assert _image(_read(k8s_targets, "kyc-svc")[0]) == "registry.local/kyc-svc:2.14.0"
    assert _image(_read(k8s_targets, "aml-svc")[0]) == "registry.local/aml-svc:1.9.0"


def _undo_runbook(tmp_path: Path, revision: str) -> Runbook:
    path = tmp_path / "RB-901-undo.md"
    path.write_text(
        "---\nid: RB-901\ntitle: Undo test\nseverity: SEV-3\nparams:\n"
        "  - name: revision\n    type: int\n    pattern: '[0-9]{1,4}'\n    source: operator\n"
        "---\n\n# Undo\n\n"
        '```k8s id=undo role=mitigate title="Undo" confirm=yes\n'
        f'action: rollout-undo\nnamespace: kyc\ndeployment: kyc-svc\nrevision: "{revision}"\n```\n',
        encoding="utf-8",
    )
    return parse_runbook(path)


def test_rollout_undo_to_a_chosen_revision_and_refusals(
    tmp_path: Path, k8s_fake: K8sFake, k8s_targets: StepTargets, logbox: LogBox
) -> None:
    runbook = _undo_runbook(tmp_path, "{{ revision }}")
    step = runbook.steps[0]
    run = runner(runbook, logbox, k8s_targets)
    unknown = run.run(step, bind(runbook, revision="7"), confirm=lambda a: True)
    assert unknown.outcome == "refused" and "no revision 7 (kept: 1, 2)" in unknown.summary
    current = run.run(step, bind(runbook, revision="2"), confirm=lambda a: True)
    assert current.outcome == "refused" and "is the one running" in current.summary
    chosen = run.run(step, bind(runbook, revision="1"), confirm=lambda a: True)
    assert chosen.outcome == "ok", chosen.summary
    assert _image(_read(k8s_targets, "kyc-svc")[0]) == "registry.local/kyc-svc:2.13.4"
    # And back again: revision 2 is now the previous one.
    again = run.run(step, bind(runbook, revision="0"), confirm=lambda a: True)
    assert again.outcome == "ok" and "revision 2" in again.summary
    assert _image(_read(k8s_targets, "kyc-svc")[0]) == "registry.local/kyc-svc:2.14.0"
    with k8s_fake.cluster.lock:
        dep = k8s_fake.cluster.deployments[(NS, "kyc-svc")]
        dep["metadata"].setdefault("labels", {})["argocd.argoproj.io/instance"] = "kyc"
    argo = run.run(step, bind(runbook, revision="0"), confirm=lambda a: True)
    assert argo.outcome == "refused" and "Argo CD" in argo.summary
