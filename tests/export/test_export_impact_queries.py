"""Impact figures from `[export.impact]` PromQL, evaluated over the window in real Prometheus."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from stack.stack import Stack

from cockpit.cli import main as cli_main
from cockpit.clock import FrozenClock
from cockpit.log import events as ev
from cockpit.log.store import IncidentLog

CHECKS = 4_321


def watch_log(path: Path, now: datetime) -> Path:
    """A watch log of the last two minutes: an alert, the lag, no declaration."""
    clock = FrozenClock(now - timedelta(seconds=120))
    log, _ = IncidentLog.open(path, clock=clock, mode="record")
    with log:
        log.append(ev.SourcesConfigured(({"name": "am", "kind": "alerts", "interval_s": 2},)))
        clock.advance(30)
        alert = {"key": "fp-1", "name": "KycBacklog", "state": "firing", "labels": {}}
        log.append(ev.AlertsObserved(source="am", items=(alert,)))
        clock.advance(80)
        log.append(ev.LogClosed("duration"))
    return path


def config(path: Path, url: str | None, impact: str) -> Path:
    prom = f'[prometheus]\nurl = "{url}"\ntimeout_seconds = 5\n\n' if url else ""
    path.write_text(f"{prom}[export.impact]\n{impact}", encoding="utf-8")
    return path


def export(log: Path, cfg: Path, out: Path) -> str:
    args = ["export", str(log), "--config", str(cfg), "--from", "-110s", "--to", "-15s"]
    assert cli_main([*args, "--title", "KYC backlog", "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.servers
def test_configured_queries_are_measured_in_the_window_and_failures_said(
    tmp_path: Path, stack: Stack, fresh_scenario: Any
) -> None:
    fresh_scenario.set_gauge("tenant_checks_month", CHECKS, tenant="impact-tenant")
    metric = 'tenant_checks_month{tenant="impact-tenant"}'
    deadline = time.monotonic() + 20
    while not stack.prometheus.query(metric):
        assert time.monotonic() < deadline, "Prometheus never scraped the gauge"
        time.sleep(0.5)
    time.sleep(16)  # the window ends 15 s ago: let it hold the scraped samples
    log = watch_log(tmp_path / "watch.jsonl", datetime.now(UTC))
    cfg = config(
        tmp_path / "cockpit.toml",
        stack.prometheus.url,
        "kyc_checks = 'max(max_over_time(" + metric + "[$window]))'\n"
        'declarations = "sum(tenant_checks_month[$window])"\n'
        'sla_breaches = "sum(cockpit_no_such_metric_total)"\n',
    )
    text = export(log, cfg, tmp_path / "pm.md")
    assert f"- KYC checks impacted: {CHECKS:,} (Prometheus)".replace(",", " ") in text
    declarations = next(x for x in text.splitlines() if x.startswith("- TCR declarations"))
    assert "the configured query failed (HTTP 400: " in declarations
    assert "range vector" in declarations
    assert declarations.endswith(r"\[team\] to fill in")
    assert "- SLA breaches: the configured query failed (no series in the window" in text


def test_unconfigured_figures_stay_for_the_team_and_no_url_is_said(tmp_path: Path) -> None:
    log = watch_log(tmp_path / "watch.jsonl", datetime.now(UTC))
    cfg = config(tmp_path / "none.toml", None, 'kyc_checks = "sum(x[$window])"\n')
    text = export(log, cfg, tmp_path / "pm.md")
    assert "- KYC checks impacted: query not evaluated (no \\[prometheus\\] url" in text
    assert "- TCR declarations impacted: not in the log, \\[team\\] to fill in" in text
    assert "SLA breaches" not in text


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ('"sum(increase(kyc_checks_total[$window])"', "unclosed '('"),
        ('"sum(x{a=\\"$tenant\\"})"', "the only placeholder is $window"),
        ('"  "', "the query is empty"),
        ("42", "string"),
    ],
)
def test_config_check_names_a_bad_impact_query(tmp_path: Path, query: str, says: str) -> None:
    import io

    from cockpit.config import check_main

    cfg = tmp_path / "cockpit.toml"
    cfg.write_text(f"[export.impact]\ndeclarations = {query}\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert check_main(str(cfg), environ={}, cwd=tmp_path, out=out, err=err) == 1
    line = err.getvalue()
    assert f"{cfg}:2: export.impact.declarations: " in line and says in line
    cfg.write_text("[export.impact]\nkyc_checks = 'sum(increase(k[$window]))'\n")
    assert check_main(str(cfg), environ={}, cwd=tmp_path, out=out, err=err) == 0


def test_the_config_is_read_only_for_a_window_to_measure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A watch report measures no window: its export never reads the config (a third of a
    second of a big log's export); a windowed one reads it, and says when it cannot."""
    log = watch_log(tmp_path / "watch.jsonl", datetime.now(UTC))
    broken = tmp_path / "broken.toml"
    broken.write_text("[export.impact\n", encoding="utf-8")
    out = tmp_path / "watch.md"
    assert cli_main(["export", str(log), "--config", str(broken), "-o", str(out)]) == 0
    assert "config not read" not in capsys.readouterr().err
    assert "Watch report" in out.read_text(encoding="utf-8")
    export(log, broken, tmp_path / "window.md")
    assert "config not read, no impact query run" in capsys.readouterr().err
