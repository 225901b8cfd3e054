"""Refused attempts reach the log; check steps tick the checklist; SQL mitigations' own login."""

from __future__ import annotations

from pathlib import Path

import pytest
from rb_support import LogBox, bind, runner

from cockpit.actions.step_where import database
from cockpit.config import ConfigError, load_settings
from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook
from cockpit.runbook.parse import parse_runbook
from cockpit.settings.backends import PostgresSettings
from cockpit.step_wiring import step_targets

NEEDS_VALUE = """---
id: RB-902
title: A step whose parameter has no value
severity: SEV-4
params:
  - name: tenant
    pattern: '[a-z]+'
    source: label:tenant
---

```promql id=by-tenant role=diagnose title="Requests of one tenant"
sum(rate(http_requests_total{tenant="{{ tenant }}"}[5m]))
```
"""


def _refused_mitigation(box: LogBox) -> tuple[str | None, str]:
    (run,) = box.state.mitigations.values()
    return run.outcome, run.summary


@pytest.mark.parametrize(
    ("kw", "why"),
    [
        ({"read_only": True}, "read-only"),
        ({"may_mitigate": False}, "role is viewer"),
    ],
)
def test_a_refused_mitigation_is_in_the_log(
    logbox: LogBox, runbooks: dict[str, Runbook], kw: dict[str, bool], why: str
) -> None:
    runbook = runbooks["RB-002"]
    step = runbook.step("fallback-ocr")
    assert step is not None
    result = runner(runbook, logbox, StepTargets(), **kw).run(step, bind(runbook))
    assert result.outcome == "refused" and why in result.summary
    assert logbox.types() == ["mitigation.requested", "mitigation.completed"]
    outcome, summary = _refused_mitigation(logbox)
    assert outcome == "refused" and why in summary
    (run,) = logbox.state.mitigations.values()
    assert run.runbook == "RB-002" and run.step == "fallback-ocr" and "nadia" in run.requested_by


def test_a_forbidden_step_attempt_is_in_the_log(logbox: LogBox, forbidden_rb: Runbook) -> None:
    step = forbidden_rb.step("drop-topic")
    assert step is not None
    result = runner(forbidden_rb, logbox, StepTargets()).run(step, bind(forbidden_rb))
    assert result.outcome == "refused" and "CTO approval" in result.summary
    (run,) = [*logbox.state.mitigations.values(), *logbox.state.steps.values()]
    assert run.outcome == "refused" and "CTO approval" in run.summary
    assert run.step == "drop-topic"


def test_a_bad_parameter_attempt_is_in_the_log(logbox: LogBox, tmp_path: Path) -> None:
    path = tmp_path / "RB-902.md"
    path.write_text(NEEDS_VALUE)
    runbook = parse_runbook(path)
    step = runbook.step("by-tenant")
    assert step is not None
    result = runner(runbook, logbox, StepTargets()).run(step, bind(runbook))
    assert result.outcome == "refused" and "no value" in result.summary
    assert logbox.types() == ["step.requested", "step.completed"]
    (run,) = logbox.state.steps.values()
    assert run.outcome == "refused" and "tenant" in run.summary and run.what.startswith("not run")


def test_nothing_is_written_in_a_replay(logbox: LogBox, runbooks: dict[str, Runbook]) -> None:
    runbook = runbooks["RB-002"]
    step = runbook.step("fallback-ocr")
    assert step is not None
    result = runner(runbook, logbox, StepTargets(), replay=True).run(step, bind(runbook))
    assert result.outcome == "refused" and "replay" in result.summary
    assert logbox.types() == []


def test_a_ticked_check_step_is_a_checklist_tick(
    logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-001"]
    step = runbook.step("release-correlation")
    assert step is not None and step.kind == "check"
    result = runner(runbook, logbox, StepTargets()).run(step, bind(runbook))
    assert result.outcome == "ok"
    tick = logbox.state.checklist["RB-001:release-correlation"]
    assert tick.done and "nadia" in tick.actor
    assert [e.type for e in logbox.events][-1] == "checklist.ticked"


def test_sql_mitigation_without_its_own_login_is_refused(
    logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-004"]
    step = runbook.step("kill-idle")
    assert step is not None
    targets = StepTargets(postgres_dsn="host=127.0.0.1 port=1 dbname=kyc user=cockpit_ro")
    result = runner(runbook, logbox, targets).run(step, bind(runbook), confirm=lambda a: True)
    assert result.outcome == "refused" and "mitigation_dsn_env" in result.summary
    outcome, summary = _refused_mitigation(logbox)
    assert outcome == "refused" and "never used for writes" in summary


def test_mitigation_dsn_settings(tmp_path: Path) -> None:
    pg = PostgresSettings(dsn_env="PG_RO", mitigation_dsn_env="PG_RW")
    assert pg.mitigation_conninfo({"PG_RW": "host=db user=ops "}) == "host=db user=ops"
    assert PostgresSettings(dsn_env="PG_RO").mitigation_conninfo({}) is None
    with pytest.raises(ValueError, match="mitigation_dsn"):
        PostgresSettings(mitigation_dsn_env="A", mitigation_dsn_file=str(tmp_path / "f"))
    config = tmp_path / "cockpit.toml"
    config.write_text('[postgres]\ndsn_env = "PG_RO"\nmitigation_dsn_env = "PG_RW"\n')
    environ = {"PG_RO": "host=db user=ro", "PG_RW": "host=db user=rw"}
    targets = step_targets(load_settings(str(config), environ=environ), environ)
    assert targets.postgres_dsn == "host=db user=ro"
    assert targets.postgres_mitigation_dsn == "host=db user=rw"
    # The write login unset: the cockpit still starts; a SQL mitigation says why it cannot run.
    environ.pop("PG_RW")
    targets = step_targets(load_settings(str(config), environ=environ), environ)
    assert targets.postgres_mitigation_dsn is None
    assert "PG_RW" in targets.postgres_mitigation_problem


def test_mitigation_dsn_file_and_env_together_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text('[postgres]\nmitigation_dsn_env = "A"\nmitigation_dsn_file = "/x"\n')
    with pytest.raises(ConfigError, match="mitigation_dsn"):
        load_settings(str(config), environ={})


def test_where_steps_act_comes_from_the_active_environment(tmp_path: Path) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text(
        '[postgres]\ndsn_env = "PG_RO"\nmitigation_dsn_env = "PG_RW"\n'
        "[environments.prod]\n"
        '[environments.prod.kubernetes]\ncontext = "gke-prod"\nnamespace = "kyc"\n'
    )
    environ = {
        "PG_RO": "host=replica.db dbname=kyc user=ro password=hunter2",
        "PG_RW": "postgresql://ops:s3cret@primary.db:6432/kyc",
    }
    settings = load_settings(str(config), env_name="prod", environ=environ)
    where = step_targets(settings, environ).where
    assert (where.environment, where.production) == ("prod", True)
    assert (where.k8s_context, where.namespace) == ("gke-prod", "kyc")
    assert "s3cret" not in repr(where) and "hunter2" not in repr(where)


def test_a_dsn_is_named_by_host_and_database_never_password() -> None:
    assert database("postgresql://ops:s3cret@primary.db:6432/kyc") == ("primary.db:6432", "kyc")
    assert database("host=replica.db dbname=kyc user=ro password=hunter2") == ("replica.db", "kyc")
    assert database("user=ro") == ("local socket", "ro")
    assert database("host='unterminated password=hunter2") == ("unreadable DSN", "")
    assert database(None) == ("", "")


def test_an_unset_context_is_the_kubeconfigs_current_one(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\ncurrent-context: kind-staging\ncontexts: []\n")
    config = tmp_path / "cockpit.toml"
    config.write_text('[kubernetes]\nnamespace = "kyc"\n')
    environ = {"KUBECONFIG": f"{tmp_path / 'missing'}:{kubeconfig}"}
    where = step_targets(load_settings(str(config), environ=environ), environ).where
    assert where.k8s_context == "kind-staging (kubeconfig current context)"
    unreadable = {"KUBECONFIG": str(tmp_path / "missing")}
    where = step_targets(load_settings(str(config), environ=unreadable), unreadable).where
    assert where.k8s_context == ""  # the confirmation then says "the kubeconfig's current context"
