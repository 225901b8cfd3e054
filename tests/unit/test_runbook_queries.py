"""Shipped SQL steps run on the real test PostgreSQL; PromQL steps pass `promtool`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import yaml

from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import bind_params, source_keys
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks

pytestmark = pytest.mark.servers

SOURCES = source_keys(
    labels={"tenant": "tunis-fintech", "service": "kyc-svc", "consumergroup": "screening",
            "topic": "kyc.events", "domain": "docs.example.com"},
    incident={"detected_at": "2025-01-02T03:04:05Z"},
    operator={"tenant_env": "TUNIS_FINTECH", "pod": "ocr-svc-7c9d-abcde", "consumer": "screener",
              "partitions": "12", "api_host": "tcr-svc.kyc.svc:8080", "declaration_id": "decl-002",
              "npm_host": "npm.example.com", "cert_id": "43",
              "dump_file": "/var/backups/cockpit/audit-tunis-fintech.dump"},
)  # fmt: skip
NEEDS_EXTENSION = {("RB-001", "slow-statements")}


def _shipped() -> list[Runbook]:
    return list(load_runbooks(default_runbook_dirs()).runbooks)


def _steps(kind: str) -> list[tuple[Runbook, Step]]:
    return [(r, s) for r in _shipped() for s in r.steps if s.kind == kind]


def _run(dsn: str, runbook: Runbook, step: Step, sources=SOURCES) -> list[tuple[object, ...]]:
    args = bind_params(runbook, sources).sql_args(step)
    with psycopg.connect(dsn) as conn:
        if step.role != "mitigate":
            conn.execute("SET TRANSACTION READ ONLY")
        rows = conn.execute(step.body.encode(), args).fetchall()
        conn.rollback()
    return rows


SQL_STEPS = _steps("sql")


@pytest.mark.parametrize("runbook,step", SQL_STEPS, ids=[f"{r.id}:{s.id}" for r, s in SQL_STEPS])
def test_sql_step_runs(pg_server, runbook: Runbook, step: Step) -> None:
    dsn = pg_server.dsn if step.role == "mitigate" else pg_server.ro_dsn
    if (runbook.id, step.id) in NEEDS_EXTENSION:
        with pytest.raises(psycopg.errors.UndefinedTable, match="pg_stat_statements"):
            _run(dsn, runbook, step)
        return
    rows = _run(dsn, runbook, step)
    assert isinstance(rows, list)


def test_audit_break_point_found_only_for_the_broken_tenant(pg_server) -> None:
    rb008 = next(r for r in _shipped() if r.id == "RB-008")
    step = rb008.step("break-point")
    assert step is not None
    broken = _run(pg_server.ro_dsn, rb008, step)
    assert len(broken) == 1 and broken[0][2] == "0" * 64
    intact = dict(SOURCES, **{"label:tenant": "acme-bank"})
    assert _run(pg_server.ro_dsn, rb008, step, intact) == []


def test_biometric_burst_source_ranks_first(pg_server) -> None:
    rb009 = next(r for r in _shipped() if r.id == "RB-009")
    step = rb009.step("failing-sources")
    assert step is not None
    rows = _run(pg_server.ro_dsn, rb009, step, dict(SOURCES, **{"label:tenant": "medina-insure"}))
    assert rows[0][:3] == ("203.0.113.7", "python-requests/2.31", 30)


def test_rejected_declarations_of_tenant(pg_server) -> None:
    rb006 = next(r for r in _shipped() if r.id == "RB-006")
    rejected = rb006.step("rejected")
    reports = rb006.step("error-reports")
    assert rejected is not None and reports is not None
    assert [row[0] for row in _run(pg_server.ro_dsn, rb006, rejected)] == ["decl-003", "decl-002"]
    assert {row[1] for row in _run(pg_server.ro_dsn, rb006, reports)} == {"CF03", "CV01"}


def test_promql_steps_are_valid_promql(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool missing: apt-get install prometheus"
    rules = []
    for index, (runbook, step) in enumerate(_steps("promql")):
        values = bind_params(runbook, SOURCES).for_step(step)
        expr = PLACEHOLDER.sub(lambda m, v=values: v[m.group(1)], step.body.strip())
        rules.append({"record": f"runbook:check_{index}", "expr": expr})
    assert len(rules) >= 10
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "runbooks", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
