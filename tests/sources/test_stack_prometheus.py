"""Prometheus, Alertmanager and both exporters are real: values and alerts travel end to end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
import pytest
from stack.postgres import MAX_CONNECTIONS, PostgresServer
from stack.prometheus import PrometheusServer
from stack.stack import Stack

from cockpit.runbook.catalog import load_catalog
from cockpit.sim.exporter import ScenarioExporter

pytestmark = pytest.mark.servers

WAIT_S = 20.0


def poll(probe: Callable[[], Any], *, what: str, timeout: float = WAIT_S) -> Any:
    """Call `probe` until it returns something truthy; fail with the last value on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.25)
    pytest.fail(f"{what}: not seen within {timeout:.0f} s (last: {last!r})")


def values(prom: PrometheusServer, expr: str) -> list[float]:
    return [float(sample["value"][1]) for sample in prom.query(expr)]


def test_every_catalog_expression_runs_and_is_quiet_when_healthy(
    prom_server: PrometheusServer, fresh_scenario: ScenarioExporter
) -> None:
    for rule in load_catalog().alerts:
        assert prom_server.query(rule.expr) == [], f"{rule.name} matches the healthy state"
    assert values(prom_server, 'up{job="scenario"}') == [1.0]


def test_exporter_value_is_read_back_through_prometheus(
    prom_server: PrometheusServer, fresh_scenario: ScenarioExporter
) -> None:
    labels = {"consumergroup": "probe-group", "topic": "probe.topic", "partition": "0"}
    fresh_scenario.set_gauge("kafka_consumer_lag", 4321, **labels)
    expr = 'kafka_consumer_lag{consumergroup="probe-group"}'
    assert poll(lambda: values(prom_server, expr), what=expr) == [4321.0]


def test_pg_activity_from_the_real_postgres_exporter(
    prom_server: PrometheusServer, pg_server: PostgresServer
) -> None:
    expr = 'sum(pg_stat_activity_count{datname="kyc", state="idle"})'
    before = poll(lambda: values(prom_server, expr), what=expr)[0]
    extra = [psycopg.connect(pg_server.dsn, autocommit=True) for _ in range(5)]
    try:
        grown = poll(
            lambda: [v for v in values(prom_server, expr) if v >= before + 5], what=f"{expr} +5"
        )
        assert grown[0] >= before + 5
    finally:
        for conn in extra:
            conn.close()
    assert values(prom_server, "max(pg_settings_max_connections)") == [float(MAX_CONNECTIONS)]


def _alert_names(alerts: list[dict[str, Any]]) -> set[str]:
    return {a["labels"]["alertname"] for a in alerts}


def test_raised_values_fire_alerts_in_prometheus_and_alertmanager(
    stack: Stack, fresh_scenario: ScenarioExporter
) -> None:
    scen = fresh_scenario
    scen.set_gauge(
        "kafka_consumer_lag",
        20_000,
        consumergroup="kyc-consumer",
        topic="kyc.case.events",
        partition="1",
    )
    scen.set_gauge("rne_subscription_balance", 120, tenant="tunis-fintech")
    scen.set_gauge("tenant_checks_month", 9_900, tenant="tunis-fintech")
    scen.set_gauge("cert_expiry_days", 3, domain="docs.kyc.example")
    scen.set_gauge("aml_list_last_ingested_seconds_ago", 172_800, list="un-sc")
    scen.set_gauge("pg_replication_lag_bytes", 300e6, replica="pg-replica-1")
    scen.inc_counter("audit_chain_integrity_failed_total", 1, tenant="tunis-fintech")
    scen.set_ocr_up(False)
    expected = {
        "KafkaConsumerLagHigh",
        "RneBalanceLow",
        "LicenseQuotaExceeded",
        "CertificateExpiringSoon",
        "AmlListIngestStale",
        "PostgresReplicationLag",
        "AuditHashChainBroken",
        "OcrServiceDown",
    }
    prom, am = stack.prometheus.url, stack.alertmanager.url

    def firing_in_prometheus() -> set[str]:
        alerts = httpx.get(f"{prom}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
        names = _alert_names([a for a in alerts if a["state"] == "firing"])
        return names if expected <= names else set()

    def active_in_alertmanager() -> list[dict[str, Any]]:
        alerts = httpx.get(f"{am}/api/v2/alerts", timeout=5).json()
        return alerts if expected <= _alert_names(alerts) else []

    poll(firing_in_prometheus, what="catalog alerts firing in Prometheus")
    received = {a["labels"]["alertname"]: a for a in poll(active_in_alertmanager, what="AM")}
    rne = received["RneBalanceLow"]
    assert rne["labels"]["tenant"] == "tunis-fintech"
    assert rne["labels"]["severity"] == "SEV-4" and rne["labels"]["runbook"] == "RB-005"
    assert "tenant=tunis-fintech" in rne["annotations"]["summary"]
    assert received["KafkaConsumerLagHigh"]["labels"]["consumergroup"] == "kyc-consumer"
    assert received["OcrServiceDown"]["labels"]["job"] == "ocr-svc"
    assert received["AuditHashChainBroken"]["labels"]["severity"] == "SEV-1"

    # Back to healthy: gauge-driven alerts resolve at the next evaluations.
    scen.reset()
    poll(
        lambda: not (firing_in_prometheus() or _still_firing(prom, expected)),
        what="alerts resolved after reset",
    )


def _still_firing(prom: str, names: set[str]) -> bool:
    alerts = httpx.get(f"{prom}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
    return bool(names & _alert_names(alerts))
