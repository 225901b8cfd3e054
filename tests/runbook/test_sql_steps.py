"""Every diagnostic SQL step of RB-004, 005, 006, 008 and 009 run through the runner."""

from __future__ import annotations

import re

import pytest
from rb_support import LogBox, bind, runner

from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook

pytestmark = pytest.mark.servers

LABELS = {"tenant": "tunis-fintech", "service": "kyc-svc"}
TYPED = {"tenant_env": "TUNIS_FINTECH", "declaration_id": "decl-002"}
CASES = [
    (rb, step)
    for rb in ("RB-004", "RB-005", "RB-006", "RB-008", "RB-009")
    for step in ("who-holds", "long-running", "rne-balance", "rejected", "error-reports",
                 "break-point", "failing-sources", "passed-from-same")
]  # fmt: skip


def diagnostic_sql(runbook: Runbook) -> list[str]:
    return [s.id for s in runbook.steps if s.kind == "sql" and s.role == "diagnose"]


def test_every_diagnostic_sql_step_is_covered(runbooks: dict[str, Runbook]) -> None:
    covered = {(rb, s) for rb, s in CASES}
    for rb in ("RB-004", "RB-005", "RB-006", "RB-008", "RB-009"):
        steps = diagnostic_sql(runbooks[rb])
        assert steps, rb
        assert all((rb, s) in covered for s in steps), (rb, steps)


@pytest.mark.parametrize("rb_id", ["RB-004", "RB-005", "RB-006", "RB-008", "RB-009"])
def test_diagnostic_sql_steps_run_read_only(
    pg_server, logbox: LogBox, runbooks: dict[str, Runbook], rb_id: str
) -> None:
    runbook = runbooks[rb_id]
    targets = StepTargets(postgres_dsn=pg_server.ro_dsn)
    run = runner(runbook, logbox, targets)
    bound = bind(runbook, LABELS, **{k: v for k, v in TYPED.items() if runbook.param(k)})
    for step_id in diagnostic_sql(runbook):
        step = runbook.step(step_id)
        assert step is not None
        result = run.run(step, bound)
        assert result.outcome == "ok", (step_id, result.summary)
        assert result.columns, step_id
    runs = [r for r in logbox.state.steps.values() if r.runbook == rb_id]
    assert len(runs) == len(diagnostic_sql(runbook))
    assert all(r.outcome == "ok" and r.requested_by.startswith("nadia@bastion-1") for r in runs)
    assert all("ssh from 192.0.2.10" in r.completed_by for r in runs)


def test_rb008_window_query_finds_the_real_broken_link(
    pg_server, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-008"]
    step = runbook.step("break-point")
    assert step is not None
    run = runner(runbook, logbox, StepTargets(postgres_dsn=pg_server.ro_dsn))
    broken = run.run(step, bind(runbook, {"tenant": "tunis-fintech"}, tenant_env="TUNIS_FINTECH"))
    assert broken.outcome == "ok" and len(broken.rows) == 1
    row = dict(zip(broken.columns, broken.rows[0], strict=True))
    assert row["previous_hash"] == "0" * 64 and row["hash_before"] != row["previous_hash"]
    intact = run.run(step, bind(runbook, {"tenant": "acme-bank"}, tenant_env="ACME_BANK"))
    assert intact.outcome == "ok" and intact.rows == ()
    run_params = [r.params for r in logbox.state.steps.values()]
    assert {"value": "tunis-fintech", "from": "label:tenant"} in [p["tenant"] for p in run_params]


def test_diagnostics_cannot_write(pg_server, logbox: LogBox, runbooks: dict[str, Runbook]) -> None:
    """Even with the superuser DSN, a diagnostic runs in a read-only transaction: a function
    the side-effect list cannot know (user-defined) still cannot write a table."""
    import dataclasses

    import psycopg

    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS cockpit_probe (x int)")
        conn.execute(
            "CREATE OR REPLACE FUNCTION cockpit_probe_write() RETURNS int LANGUAGE sql "
            "AS 'INSERT INTO cockpit_probe VALUES (1) RETURNING x'"
        )
    runbook = runbooks["RB-004"]
    step = runbook.step("who-holds")
    assert step is not None
    writer = dataclasses.replace(step, spec="SELECT cockpit_probe_write()")
    result = runner(runbook, logbox, StepTargets(postgres_dsn=pg_server.dsn)).run(
        writer, bind(runbook)
    )
    assert result.outcome == "failed" and "read-only" in result.summary
    assert logbox.state.steps[next(iter(logbox.state.steps))].outcome == "failed"
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM cockpit_probe").fetchone() == (0,)


def test_read_only_transaction_does_not_stop_terminate_so_the_gate_does(
    pg_server, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    """The seen defect: pg_terminate_backend kills a session from a read-only transaction.
    Classified as mutating, it is refused in a read-only session and never reaches the
    server as the diagnostic login."""
    import dataclasses

    import psycopg

    from cockpit.runbook.exec import sql

    query = "SELECT pg_terminate_backend(%(victim)s)"
    with psycopg.connect(pg_server.dsn, autocommit=True) as victim:
        pid = victim.info.backend_pid
        # The transaction alone: the call goes through (this is why the list exists).
        bare = sql.run(
            sql.SqlCall(query, {"victim": pid}, False), StepTargets(postgres_dsn=pg_server.dsn), 5
        )
        assert bare.outcome == "ok" and bare.rows == (("True",),)
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
    runbook = runbooks["RB-004"]
    step = runbook.step("who-holds")
    assert step is not None
    killer = dataclasses.replace(step, spec="SELECT pg_catalog.pg_terminate_backend(1)")
    targets = StepTargets(postgres_dsn=pg_server.dsn)
    refused = runner(runbook, logbox, targets, read_only=True).run(killer, bind(runbook))
    assert refused.outcome == "refused"
    assert re.search(r"--read-only.*pg_terminate_backend", refused.summary), refused.summary
    # Writable session without a mitigation login: refused before running, never as the
    # diagnostic login.
    no_login = runner(runbook, logbox, targets).run(killer, bind(runbook), confirm=lambda a: True)
    assert no_login.outcome == "refused", no_login.summary
    assert "no PostgreSQL login for mitigations" in no_login.summary
    assert [r.outcome for r in logbox.state.mitigations.values()] == ["refused", "refused"]


def test_statement_timeout_bounds_a_step(
    pg_server, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    import dataclasses

    runbook = runbooks["RB-004"]
    step = runbook.step("who-holds")
    assert step is not None
    slow = dataclasses.replace(step, spec="SELECT pg_sleep(5)", timeout="1s")
    result = runner(runbook, logbox, StepTargets(postgres_dsn=pg_server.ro_dsn)).run(
        slow, bind(runbook)
    )
    assert result.outcome == "timeout"
    (run,) = logbox.state.steps.values()
    assert run.outcome == "timeout" and (run.duration_ms or 0) < 4000
