"""`cockpit record` against the real stack: the log's fold shows what the servers served."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from stack.stack import Stack

from cockpit.domain.fold import fold
from cockpit.domain.metrics_views import lag_view, pg_view, tenants_view
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS
from cockpit.domain.views import alerts_view
from cockpit.log.reader import LogReader
from cockpit.log.verify import verify
from cockpit.runbook.catalog import load_catalog

pytestmark = pytest.mark.servers


def write_config(path: Path, stack: Stack) -> Path:
    path.write_text(
        f"""
[prometheus]
url = "{stack.prometheus.url}"
timeout_seconds = 3

[alertmanager]
url = "{stack.alertmanager.url}"

[postgres]
dsn_env = "TEST_RECORD_PG_DSN"

[ui]
refresh_seconds = 1
""",
        encoding="utf-8",
    )
    return path


def record(config: Path, log: Path, stack: Stack, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TEST_RECORD_PG_DSN": stack.pg.ro_dsn}
    env.pop("COCKPIT_LOG_KEY", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cockpit",
            "record",
            "--config",
            str(config),
            "--log",
            str(log),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd="/tmp",
    )


@pytest.fixture
def leaked_sessions(stack: Stack) -> Iterator[int]:
    """Three sessions of a 'leaky-svc' application left idle in a transaction."""
    conns = [psycopg.connect(stack.pg.dsn, application_name="leaky-svc") for _ in range(3)]
    for conn in conns:
        conn.execute("SELECT 1")  # opens a transaction that stays open
    try:
        yield len(conns)
    finally:
        for conn in conns:
            conn.close()


def test_record_then_fold_shows_what_the_stack_served(
    tmp_path: Path, stack: Stack, fresh_scenario: object, leaked_sessions: int
) -> None:
    stack.scenario.set_gauge(
        "kafka_consumer_lag",
        25_000,
        consumergroup="kyc-consumer",
        topic="kyc.cases",
        partition="0",
    )
    stack.scenario.set_gauge("tenant_checks_month", 980, tenant="acme-bank")
    stack.scenario.set_gauge("license_limit", 1000, tenant="acme-bank")
    stack.scenario.set_gauge("rne_subscription_balance", 420, tenant="acme-bank")
    config = write_config(tmp_path / "cockpit.toml", stack)
    log = tmp_path / "incident.jsonl"

    proc = record(config, log, stack, "--duration", "30")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err

    report = verify(log, None)
    assert report.status == 0, report.summary
    events = [r.event for r in LogReader(log)]
    assert events[0].type == "log.opened"
    assert events[-1].type == "log.closed"
    assert events[-1].data["reason"] == "duration"
    state = fold(events)
    now = datetime.now(UTC)
    assert {info.kind for info in state.sources.values()} == {
        "alerts",
        "kafka",
        "tenants",
        "postgres",
    }
    assert all(info.interval_s == 1.0 for info in state.sources.values())

    lag = {(r.group, r.topic): r for r in lag_view(state, now, DEFAULT_THRESHOLDS)}
    assert lag[("kyc-consumer", "kyc.cases")].lag == 25_000
    assert lag[("kyc-consumer", "kyc.cases")].over_threshold

    tenants = {r.tenant: r for r in tenants_view(state, DEFAULT_THRESHOLDS)}
    assert tenants["acme-bank"].ratio == pytest.approx(0.98)
    assert tenants["acme-bank"].over_quota
    assert tenants["acme-bank"].rne_balance == 420

    pg = pg_view(state, now, DEFAULT_THRESHOLDS, source="postgres")
    assert pg is not None
    assert pg.max_connections == 40
    assert dict(pg.by_application)["leaky-svc"] == leaked_sessions
    assert pg.used is not None and pg.used >= leaked_sessions

    names = {row.name for row in alerts_view(state, now, DEFAULT_THRESHOLDS, load_catalog())}
    assert {"KafkaConsumerLagHigh", "RneBalanceLow", "LicenseQuotaExceeded"} <= names


def test_sigterm_closes_the_log_cleanly(tmp_path: Path, stack: Stack) -> None:
    config = write_config(tmp_path / "cockpit.toml", stack)
    log = tmp_path / "bastion.jsonl"
    proc = record(config, log, stack)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if log.exists() and log.read_bytes().count(b"\n") >= 5:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    events = [r.event for r in LogReader(log)]
    assert len(events) >= 5
    assert events[-1].type == "log.closed"
    assert events[-1].data["reason"] == "sigterm"
    assert verify(log, None).status == 0
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_record_without_sources_says_what_to_configure(tmp_path: Path) -> None:
    config = tmp_path / "empty.toml"
    config.write_text("[ui]\nrefresh_seconds = 1\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cockpit",
            "record",
            "--config",
            str(config),
            "--log",
            str(tmp_path / "x.jsonl"),
            "--duration",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no source is configured" in result.stderr
    assert "Traceback" not in result.stderr
