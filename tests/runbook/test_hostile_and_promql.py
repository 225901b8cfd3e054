"""Hostile parameter values are refused or bound as data; promql steps on the real Prometheus."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from hostile_corpus import load as load_corpus
from rb_support import LogBox, bind, runner

from cockpit.actions.step_run import Phase
from cockpit.runbook.exec import promql
from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook
from cockpit.runbook.params import ParamError
from cockpit.runbook.parse import parse_runbook

HOSTILE = load_corpus()
LOOSE = """---
id: RB-901
title: Loose parameters, to prove binding and escaping
severity: SEV-4
params:
  - name: anything
    pattern: '.*'
    source: label:anything
  - name: job
    type: label_value
    pattern: '.*'
    source: label:job
---

```sql id=count role=diagnose title="Count by tenant"
SELECT count(*) AS n FROM audit_event WHERE tenant_id = %(anything)s;
```

```promql id=up role=diagnose title="Targets of a job"
count(up{job="{{ job }}"}) or vector(0)
```

```exec id=echo role=diagnose readonly=true title="Echo"
["printf", "%s", "{{ anything }}"]
```
"""


@pytest.fixture
def loose(tmp_path: Path) -> Runbook:
    path = tmp_path / "RB-901-loose.md"
    path.write_text(LOOSE)
    return parse_runbook(path)


@pytest.mark.parametrize("value", HOSTILE["sql_params"])
def test_shipped_patterns_refuse_hostile_sql_values(
    runbooks: dict[str, Runbook], value: str
) -> None:
    for rb in ("RB-008", "RB-005", "RB-006"):
        with pytest.raises(ParamError, match="refused"):
            bind(runbooks[rb], {"tenant": value}, tenant_env="X", declaration_id="decl-002")


@pytest.mark.servers
def test_hostile_sql_values_are_bound_as_data(pg_server, logbox: LogBox, loose: Runbook) -> None:
    step = loose.step("count")
    assert step is not None
    run = runner(loose, logbox, StepTargets(postgres_dsn=pg_server.dsn))
    for value in HOSTILE["sql_params"]:
        started = time.monotonic()
        result = run.run(step, bind(loose, {"anything": value, "job": "x"}))
        assert result.outcome == "ok" and result.rows == (("0",),), value
        assert time.monotonic() - started < 3, f"{value!r} made the server sleep"
    with psycopg.connect(pg_server.dsn) as conn:
        row = conn.execute("SELECT count(*) FROM audit_event").fetchone()
    assert row is not None and row[0] == 24


@pytest.mark.parametrize("value", HOSTILE["promql_or_k8s_params"])
def test_k8s_names_refuse_hostile_values(runbooks: dict[str, Runbook], value: str) -> None:
    with pytest.raises(ParamError):
        bind(runbooks["RB-002"], pod=value)
    with pytest.raises(ParamError):
        bind(runbooks["RB-003"], {"consumergroup": "g", "topic": "t"}, consumer=value)


def test_exec_passes_hostile_values_as_one_argument(logbox: LogBox, loose: Runbook) -> None:
    step = loose.step("echo")
    assert step is not None
    for value in HOSTILE["promql_or_k8s_params"]:
        result = runner(loose, logbox, StepTargets()).run(step, bind(loose, {"anything": value}))
        assert result.outcome == "ok" and result.text == value


def test_promql_escaping() -> None:
    assert promql.render('up{job="{{ j }}"}', {"j": 'a"b\\c'}) == 'up{job="a\\"b\\\\c"}'


@pytest.mark.servers
def test_hostile_promql_values_stay_inside_the_label(
    prom_server, logbox: LogBox, loose: Runbook
) -> None:
    step = loose.step("up")
    assert step is not None
    run = runner(loose, logbox, StepTargets(prometheus_url=prom_server.url))
    for value in HOSTILE["promql_or_k8s_params"]:
        result = run.run(step, bind(loose, {"job": value}))
        assert result.outcome == "ok", (value, result.summary)
        assert [r[1] for r in result.rows] == ["0"], value


@pytest.mark.servers
def test_every_shipped_promql_step_runs(
    prom_server, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    targets = StepTargets(prometheus_url=prom_server.url)
    labels = {"tenant": "tunis-fintech", "service": "kyc-svc", "consumergroup": "screening",
              "topic": "kyc.events", "domain": "docs.example.com"}  # fmt: skip
    count = 0
    for runbook in runbooks.values():
        bound = bind(
            runbook, labels, tenant_env="TUNIS_FINTECH", consumer="screener", partitions="3"
        )
        for step in runbook.steps:
            if step.kind == "promql":
                result = runner(runbook, logbox, targets).run(step, bound)
                assert result.outcome == "ok", (runbook.id, step.id, result.summary)
                count += 1
    assert count >= 10
    assert len(logbox.state.steps) == count


@pytest.mark.servers
def test_rb004_usage_ratio_has_data(
    prom_server, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-004"]
    step = runbook.step("usage-ratio")
    assert step is not None
    run = runner(runbook, logbox, StepTargets(prometheus_url=prom_server.url))
    deadline = time.monotonic() + 20
    while True:
        result = run.run(step, bind(runbook))
        if result.rows or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert result.columns == ("series", "last", "min", "max", "trend")
    assert result.rows and 0 < float(result.rows[0][1]) < 1


def test_unconfigured_target_is_one_clear_line(
    logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-004"]
    step = runbook.step("who-holds")
    assert step is not None
    result = runner(runbook, logbox, StepTargets()).run(step, bind(runbook))
    assert result.outcome == "failed" and "[postgres] dsn" in result.summary
    describe = runner(runbooks["RB-002"], logbox, StepTargets()).start(
        runbooks["RB-002"].step("ocr-describe")  # type: ignore[arg-type]
    )
    describe.prepare(bind(runbooks["RB-002"]))
    assert describe.phase is Phase.REFUSED and "no value" in describe.summary
