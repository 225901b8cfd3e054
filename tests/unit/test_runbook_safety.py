"""The run-time gate: forbidden, replay, read-only and role rights decide what may run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.parse import parse_runbook
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


def test_forbidden_never_runs() -> None:
    runbook = parse_runbook(Path(__file__).parent.parent / "data/runbooks/RB-990-forbidden.md")
    decision = gate(runbook.steps[0], read_only=False)
    assert not decision.allowed and "CTO" in decision.reason


def test_the_purge_is_under_the_two_person_rule(shipped) -> None:
    decision = gate(_step(shipped, "RB-003", "purge-topic"), read_only=False)
    assert decision.allowed and decision.confirm == "typed"


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


def _parsed(tmp_path, fence: str, body: str):
    from cockpit.runbook.parse import parse_runbook

    text = (
        "---\nid: RB-950\ntitle: Capability\nseverity: SEV-3\n---\n\n# x\n\n"
        f"```{fence}\n{body}\n```\n"
    )
    path = tmp_path / "rb.md"
    path.write_text(text)
    (step,) = parse_runbook(path).steps
    return step


EXEC = '["kafka-topics.sh", "--describe"]'
HTTP = "method: GET\nurl: https://status.example.invalid/api"


def test_readonly_attribute_is_parsed_for_exec_and_http(tmp_path) -> None:
    step = _parsed(tmp_path, 'exec id=d role=diagnose readonly=true title="D"', EXEC)
    assert step.readonly and not changes_platform(step)
    bare = _parsed(tmp_path, 'http id=d role=verify readonly title="D"', HTTP)
    assert bare.readonly and not changes_platform(bare)


def test_exec_and_http_count_as_mutating_unless_readonly(tmp_path) -> None:
    for kind, body in (("exec", EXEC), ("http", HTTP)):
        step = _parsed(tmp_path, f'{kind} id=m role=mitigate confirm=yes title="M"', body)
        assert not step.readonly and changes_platform(step)
        assert not gate(step, read_only=True).allowed
        # Built by hand (validate refuses it): a diagnose label alone does not make it safe.
        unmarked = replace(step, role="diagnose", confirm="none")
        refused = gate(unmarked, read_only=True)
        assert not refused.allowed and f"an {kind} step may change anything" in refused.reason
        assert gate(unmarked, read_only=False).confirm == "yes"
        declared = replace(step, role="diagnose", confirm="none", readonly=True)
        assert gate(declared, read_only=True) == gate(declared, read_only=False)
        assert gate(declared, read_only=True).allowed
        # GET alone no longer makes an http step read-only: the attribute does.
        assert changes_platform(replace(declared, readonly=False))


def test_sql_side_effect_is_mutating_whatever_the_role(shipped) -> None:
    step = _step(shipped, "RB-004", "who-holds")
    killer = replace(step, spec="SELECT pg_catalog.pg_terminate_backend(pid) FROM x")
    assert changes_platform(killer)
    decision = gate(killer, read_only=True)
    assert not decision.allowed and "pg_terminate_backend" in decision.reason
    assert gate(killer, read_only=False).confirm == "yes"
    quoted = replace(step, spec="SELECT 'pg_terminate_backend(pid)' AS hint")
    assert not changes_platform(quoted) and gate(quoted, read_only=True).allowed


def test_shipped_readonly_diagnostics_run_read_only(shipped) -> None:
    for rb, step_id in (("RB-003", "group-describe"), ("RB-007", "served-cert")):
        step = _step(shipped, rb, step_id)
        assert step.readonly and gate(step, read_only=True).allowed
    assert not gate(_step(shipped, "RB-003", "add-partitions"), read_only=True).allowed
    assert not gate(_step(shipped, "RB-007", "npm-renew"), read_only=True).allowed
