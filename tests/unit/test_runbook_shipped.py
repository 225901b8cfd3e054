"""The shipped runbooks RB-001..RB-010: all parse, validate and follow the house layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cockpit.runbook.catalog import load_catalog
from cockpit.runbook.cli import validate_main
from cockpit.runbook.model import Prose, Runbook
from cockpit.runbook.parse import parse_runbook
from cockpit.runbook.schema import schema_text
from cockpit.runbook.spec import K8sBody
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("Symptoms", "Diagnose", "Mitigate", "Investigate deeper", "After the incident")
IDS = [f"RB-{n:03d}" for n in range(1, 11)]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Runbook]:
    found = load_runbooks(default_runbook_dirs())
    assert found.refused == (), [str(p) for p in found.problems]
    return {r.id: r for r in found.runbooks}


def test_all_ten_runbooks_load(shipped: dict[str, Runbook]) -> None:
    assert sorted(shipped) == IDS
    for runbook_id, runbook in shipped.items():
        assert runbook.path.name.startswith(runbook_id + "-")


def test_default_dir_is_the_packaged_runbooks_folder() -> None:
    assert default_runbook_dirs() == (REPO / "runbooks",)


def test_validate_exit_zero_on_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_main(None) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("runbook_id", IDS)
def test_sections_and_steps(shipped: dict[str, Runbook], runbook_id: str) -> None:
    runbook = shipped[runbook_id]
    prose = "\n".join(b.text for b in runbook.blocks if isinstance(b, Prose))
    headings = re.findall(r"^##\s+(.+?)\s*(?:\(.*\))?$", prose, flags=re.M)
    for section in SECTIONS:
        assert section in headings, f"{runbook_id} lacks a '{section}' section"
    roles = {s.role for s in runbook.steps}
    assert "diagnose" in roles and "follow-up" in roles
    assert any(s.kind != "check" for s in runbook.steps)


def test_alerts_match_the_catalog(shipped: dict[str, Runbook]) -> None:
    catalog = load_catalog()
    for runbook in shipped.values():
        assert runbook.alerts, runbook.id
        for alert in runbook.alerts:
            assert catalog.runbook_of(alert) == runbook.id


def test_k8s_steps_take_the_namespace_from_a_dns_param(shipped: dict[str, Runbook]) -> None:
    k8s = [(r, s) for r in shipped.values() for s in r.steps if s.kind == "k8s"]
    assert len(k8s) >= 10
    for runbook, step in k8s:
        assert isinstance(step.spec, K8sBody)
        assert step.spec.namespace == "{{ namespace }}"
        param = runbook.param("namespace")
        assert param is not None and param.default == "kyc" and param.type == "k8s_name"


def test_key_safety_facts(shipped: dict[str, Runbook]) -> None:
    kill = shipped["RB-004"].step("kill-idle")
    assert kill is not None and kill.kind == "sql" and kill.role == "mitigate"
    assert kill.confirm == "typed" and kill.danger and "%(idle_minutes)s" in kill.body
    purge = shipped["RB-003"].step("purge-topic")
    assert purge is not None and not purge.forbidden and purge.approval
    assert "CTO" in purge.approval and purge.confirm == "typed" and purge.danger
    scale = shipped["RB-003"].step("scale-consumers")
    assert scale is not None and isinstance(scale.spec, K8sBody)
    assert scale.spec.replicas == "+3" and scale.spec.max_replicas == "{{ partitions }}"
    freeze = shipped["RB-008"].step("freeze-writes")
    assert freeze is not None and isinstance(freeze.spec, K8sBody) and freeze.spec.env
    assert list(freeze.spec.env) == ["AUDIT_WRITE_FROZEN_{{ tenant_env }}"]
    deadlines = {s.id: s.deadline for s in shipped["RB-008"].steps if s.kind == "check"}
    assert deadlines["notify-client"] == "24h" and deadlines["notify-regulator"] == "72h"
    snapshot = shipped["RB-008"].step("snapshot")
    assert snapshot is not None and isinstance(snapshot.spec, tuple)
    assert snapshot.spec[0] == "pg_dump"


def test_every_mitigation_needs_confirmation(shipped: dict[str, Runbook]) -> None:
    for runbook in shipped.values():
        for step in runbook.steps:
            if step.role == "mitigate":
                assert step.confirm in ("yes", "typed"), (runbook.id, step.id)
            if step.danger:
                assert step.confirm == "typed", (runbook.id, step.id)


def test_schema_file_is_up_to_date() -> None:
    on_disk = (REPO / "runbooks" / "runbook.schema.json").read_text(encoding="utf-8")
    assert on_disk == schema_text(), (
        "regenerate: python -m cockpit.runbook.schema runbooks/runbook.schema.json"
    )


def test_readme_worked_example_parses(tmp_path: Path) -> None:
    readme = (REPO / "runbooks" / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^````markdown\n(.*?)^````$", readme, flags=re.S | re.M)
    assert match, "runbooks/README.md must hold a ````markdown worked example"
    example = tmp_path / "RB-900-example.md"
    example.write_text(match.group(1), encoding="utf-8")
    runbook = parse_runbook(example)
    assert runbook.steps and {s.kind for s in runbook.steps} >= {"sql", "k8s", "check"}
