"""The run-time gate: forbidden, replay, read-only and role rights decide what may run."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.safety import changes_platform, gate
from cockpit.runbook.spec import K8sBody
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks


@pytest.fixture(scope="module")
def shipped() -> dict[str, Runbook]:
    return {r.id: r for r in load_runbooks(default_runbook_dirs()).runbooks}


def _step(shipped: dict[str, Runbook], runbook_id: str, step_id: str):
    step = shipped[runbook_id].step(step_id)
    assert step is not None
    return step


def test_diagnostics_run_even_read_only(shipped) -> None:
    step = _step(shipped, "RB-004", "who-holds")
    assert not changes_platform(step)
    decision = gate(step, read_only=True)
    assert decision.allowed and decision.confirm == "none"


def test_mitigation_refused_read_only_and_without_rights(shipped) -> None:
    step = _step(shipped, "RB-004", "kill-idle")
    assert changes_platform(step)
    assert not gate(step, read_only=True).allowed
    assert "read-only" in gate(step, read_only=True).reason
    assert not gate(step, read_only=False, may_mitigate=False).allowed
    allowed = gate(step, read_only=False)
    assert allowed.allowed and allowed.confirm == "typed"


def test_replay_runs_nothing(shipped) -> None:
    assert not gate(_step(shipped, "RB-004", "who-holds"), read_only=False, replay=True).allowed


def test_forbidden_never_runs(shipped) -> None:
    decision = gate(_step(shipped, "RB-003", "purge-topic"), read_only=False)
    assert not decision.allowed and "CTO" in decision.reason


def test_confirm_yes_mitigation(shipped) -> None:
    decision = gate(_step(shipped, "RB-002", "fallback-ocr"), read_only=False)
    assert decision.allowed and decision.confirm == "yes"


def test_checks_are_always_tickable(shipped) -> None:
    decision = gate(_step(shipped, "RB-008", "notify-regulator"), read_only=True)
    assert decision.allowed and decision.confirm == "none"


def test_write_action_counts_as_change_whatever_the_role() -> None:
    body = K8sBody(action="scale", namespace="kyc", deployment="x", replicas="+1")
    step = Step("s", "k8s", "diagnose", "t", "none", False, None, "", {}, 1, spec=body)
    assert changes_platform(step)
    assert not gate(step, read_only=True).allowed
    assert gate(replace(step, spec=None, kind="promql"), read_only=True).allowed
