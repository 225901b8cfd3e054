"""The HTTP sources against the real Prometheus, Alertmanager and postgres-exporter."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from stack.alertmanager import AlertmanagerServer
from stack.postgres import MAX_CONNECTIONS
from stack.prometheus import PrometheusServer
from stack.stack import Stack

from cockpit.sim.exporter import ScenarioExporter
from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.prometheus_alerts import PrometheusAlerts
from cockpit.sources.tenants import PrometheusTenantQuota

pytestmark = pytest.mark.servers

WAIT_S = 20.0
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
HOSTILE_TENANT = "\x1b]0;owned\x07h6-[/]evil\u202e"


async def eventually(
    source: Any, accept: Callable[[Snapshot], Any], what: str, timeout: float = WAIT_S
) -> Any:
    """Poll `source` until `accept(snapshot)` is truthy; fail with the last snapshot if not."""
    deadline = time.monotonic() + timeout
    last: Snapshot | None = None
    while time.monotonic() < deadline:
        last = await source.poll()
        found = accept(last)
        if found:
            return found
        await asyncio.sleep(0.3)
    pytest.fail(f"{what}: not seen within {timeout:.0f} s (last: {last!r:.500})")


def item(key: str) -> Callable[[Snapshot], Any]:
    return lambda snap: next((i for i in snap.items if i["key"] == key), None)


async def closing(source: Any, work: Awaitable[Any]) -> Any:
    try:
        return await work
    finally:
        await source.aclose()


async def test_kafka_lag_set_on_the_exporter_is_summed_per_group(
    prom_server: PrometheusServer, fresh_scenario: ScenarioExporter
) -> None:
    for partition, lag in (("0", 25_000), ("1", 5_000)):
        fresh_scenario.set_gauge(
            "kafka_consumer_lag",
            lag,
            consumergroup="h6-group",
            topic="h6.topic",
            partition=partition,
        )
    source = PrometheusKafkaLag(prom_server.url)
    row = await closing(
        source,
        eventually(
            source,
            lambda s: (i := item("h6-group/h6.topic")(s)) and i["lag"] == 30_000 and i,
            "lag 30000",
        ),
    )
    assert row == {
        "key": "h6-group/h6.topic",
        "group": "h6-group",
        "topic": "h6.topic",
        "partition": None,
        "lag": 30_000,
    }


async def test_tenant_quotas_from_three_real_queries(
    prom_server: PrometheusServer, fresh_scenario: ScenarioExporter
) -> None:
    fresh_scenario.set_gauge("tenant_checks_month", 9_700, tenant="h6-tenant")
    fresh_scenario.set_gauge("license_limit", 10_000, tenant="h6-tenant")
    fresh_scenario.set_gauge("rne_subscription_balance", 321, tenant="h6-tenant")
    fresh_scenario.set_gauge("tenant_checks_month", 5, tenant="h6-lonely")
    source = PrometheusTenantQuota(prom_server.url)
    snap = await closing(
        source,
        eventually(
            source,
            lambda s: item("h6-lonely")(s) and item("h6-tenant")(s) and s,
            "h6 tenants",
        ),
    )
    assert item("h6-tenant")(snap) == {
        "key": "h6-tenant",
        "tenant": "h6-tenant",
        "checks_month": 9_700,
        "license_limit": 10_000,
        "rne_balance": 321,
    }
    lonely = item("h6-lonely")(snap)
    assert (lonely["checks_month"], lonely["license_limit"], lonely["rne_balance"]) == (
        5,
        None,
        None,
    )
    assert item("acme-bank")(snap) is not None  # the healthy defaults are there too


async def test_alert_raised_on_the_exporter_reaches_alertmanager_cleaned(
    stack: Stack, fresh_scenario: ScenarioExporter
) -> None:
    fresh_scenario.set_gauge("rne_subscription_balance", 10, tenant=HOSTILE_TENANT)
    source = AlertmanagerAlerts(stack.alertmanager.url)

    def ours(snap: Snapshot) -> Any:
        return next(
            (
                i
                for i in snap.items
                if i["name"] == "RneBalanceLow" and "h6-[/]evil" in i["labels"].get("tenant", "")
            ),
            None,
        )

    alert = await closing(source, eventually(source, ours, "RneBalanceLow in Alertmanager"))
    assert alert["labels"]["tenant"] == "h6-[/]evil"  # OSC title and bidi override stripped
    assert alert["state"] == "firing"
    assert RFC3339.fullmatch(alert["active_since"])
    assert re.fullmatch(r"[0-9a-f]{16}", alert["key"])
    assert (alert["silenced"], alert["inhibited"], alert["value"]) == (False, False, None)
    assert alert["labels"]["severity"]
    fallback = PrometheusAlerts(stack.prometheus.url)
    same = await closing(fallback, eventually(fallback, ours, "RneBalanceLow in Prometheus"))
    assert same["state"] in ("pending", "firing")
    assert same["value"] == 10.0
    assert same["labels"]["tenant"] == "h6-[/]evil"


async def test_exporter_fallback_reads_the_real_postgres_exporter(stack: Stack) -> None:
    source = ExporterConnections(stack.prometheus.url, datname="kyc")
    snap = await closing(
        source, eventually(source, lambda s: s.items[0]["total"] > 0 and s, "pg connections")
    )
    row = snap.items[0]
    assert row["max_connections"] == MAX_CONNECTIONS
    assert row["total"] == sum(row["by_state"].values())
    assert set(row["by_state"]) <= {
        "active",
        "idle",
        "idle in transaction",
        "idle in transaction (aborted)",
        "fastpath function call",
        "disabled",
    }


async def test_unreachable_servers_fail_fast(alertmanager_server: AlertmanagerServer) -> None:
    source = AlertmanagerAlerts("http://127.0.0.1:1", timeout_s=2)
    began = time.monotonic()
    with pytest.raises(SourceError) as info:
        await closing(source, source.poll())
    assert info.value.kind == "connect"
    assert time.monotonic() - began < 1.0
    wrong_api = PrometheusKafkaLag(alertmanager_server.url)  # Alertmanager has no PromQL API
    with pytest.raises(SourceError) as info:
        await closing(wrong_api, wrong_api.poll())
    assert info.value.kind == "http"
    assert info.value.message.startswith("HTTP 404 from 127.0.0.1:")
