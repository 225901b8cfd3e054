"""The REAL sources polling DemoPlatform over loopback HTTP at chosen scenario times."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from cockpit.clock import FrozenClock
from cockpit.sim.demo import DemoPlatform
from cockpit.sim.demo_am import fingerprint
from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.prometheus_alerts import PrometheusAlerts
from cockpit.sources.promql import PrometheusApi
from cockpit.sources.tenants import PrometheusTenantQuota

T0 = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)


class Demo:
    """A started DemoPlatform on a frozen clock, plus the five real sources pointed at it."""

    def __init__(self, demo: DemoPlatform, clock: FrozenClock) -> None:
        self.demo, self.clock = demo, clock
        prom, am = demo.prometheus_url, demo.alertmanager_url
        self.am = AlertmanagerAlerts(am, timeout_s=5)
        self.prom_alerts = PrometheusAlerts(prom, timeout_s=5)
        self.kafka = PrometheusKafkaLag(prom, timeout_s=5)
        self.tenants = PrometheusTenantQuota(prom, timeout_s=5)
        self.pg = ExporterConnections(prom, timeout_s=5)

    def at(self, t: float) -> None:
        self.clock.set(T0 + timedelta(seconds=t))

    async def aclose(self) -> None:
        for source in (self.am, self.prom_alerts, self.kafka, self.tenants, self.pg):
            await source.aclose()


@pytest.fixture
async def demo() -> AsyncIterator[Demo]:
    clock = FrozenClock(T0)
    with DemoPlatform(clock) as platform:
        sources = Demo(platform, clock)
        yield sources
        await sources.aclose()


def alert_names(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    return {i["name"]: (i["state"], i["labels"]["severity"]) for i in snapshot.items}


async def test_healthy_platform_at_start(demo: Demo) -> None:
    demo.at(0)
    assert (await demo.am.poll()).items == ()
    assert (await demo.prom_alerts.poll()).items == ()
    kafka = await demo.kafka.poll()
    assert len(kafka.items) == 12 and all(i["lag"] < 1000 for i in kafka.items)
    tenants = {i["tenant"]: i for i in (await demo.tenants.poll()).items}
    assert len(tenants) == 60 and {"acme-bank", "tunis-fintech", "t-0042"} <= set(tenants)
    assert all(None not in (r["checks_month"], r["license_limit"]) for r in tenants.values())
    (pg,) = (await demo.pg.poll()).items
    assert pg["max_connections"] == 200 and pg["total"] < 100
    assert set(pg["by_state"]) <= {"active", "idle", "idle in transaction"}


async def test_connections_past_85_percent_at_100(demo: Demo) -> None:
    demo.at(100)
    (pg,) = (await demo.pg.poll()).items
    assert pg["total"] > 170 and pg["by_state"]["idle in transaction"] > 100
    url = demo.demo.prometheus_url
    scoped = ExporterConnections(url, instance="pg-exporter:9187", datname="kyc")
    (kyc,) = (await scoped.poll()).items
    assert 100 < kyc["total"] < pg["total"]
    elsewhere = ExporterConnections(url, instance="pg-replica:9187")
    with pytest.raises(SourceError, match="no pg_up series"):
        await elsewhere.poll()
    await scoped.aclose()
    await elsewhere.aclose()
    am = alert_names(await demo.am.poll())
    assert am == {"PostgresConnectionsExhausted": ("firing", "SEV-2")}
    prom = alert_names(await demo.prom_alerts.poll())
    assert prom["KafkaConsumerLagHigh"] == ("pending", "SEV-3")


async def test_the_incident_at_150(demo: Demo) -> None:
    demo.at(150)
    expected = {
        "ApiHighLatencyP95": ("firing", "SEV-3"),
        "KafkaConsumerLagHigh": ("firing", "SEV-3"),
        "LicenseQuotaExceeded": ("firing", "SEV-4"),
        "PostgresConnectionsExhausted": ("firing", "SEV-2"),
        "RneBalanceLow": ("firing", "SEV-4"),
    }
    am = await demo.am.poll()
    assert alert_names(am) == expected
    assert alert_names(await demo.prom_alerts.poll()) == expected
    for item in am.items:
        assert item["key"] == fingerprint(item["labels"])
        assert item["labels"]["runbook"].startswith("RB-")
        assert item["generator_url"].startswith(demo.demo.prometheus_url + "/graph?g0.expr=")
    kafka = next(i for i in am.items if i["name"] == "KafkaConsumerLagHigh")
    assert kafka["labels"]["consumergroup"] == "kyc-consumer"
    assert kafka["active_since"] == "2025-03-12T14:32:02.000000Z"  # breach at 92 s + 30 s wait
    tenants = {i["tenant"]: i for i in (await demo.tenants.poll()).items}
    acme = tenants["acme-bank"]
    assert acme["checks_month"] / acme["license_limit"] > 0.95
    assert tenants["tunis-fintech"]["rne_balance"] < 1000


async def test_kafka_lag_at_200_then_recovery_at_400(demo: Demo) -> None:
    demo.at(200)
    lags = {i["key"]: i["lag"] for i in (await demo.kafka.poll()).items}
    assert lags["kyc-consumer/kyc.cases"] > 10_000
    assert sum(lag > 10_000 for lag in lags.values()) == 1
    demo.at(400)
    lags = {i["key"]: i["lag"] for i in (await demo.kafka.poll()).items}
    assert lags["kyc-consumer/kyc.cases"] < 1000
    assert (await demo.am.poll()).items == ()
    assert (await demo.prom_alerts.poll()).items == ()
    (pg,) = (await demo.pg.poll()).items
    assert pg["total"] < 100
    acme = next(i for i in (await demo.tenants.poll()).items if i["tenant"] == "acme-bank")
    assert acme["license_limit"] == 150_000


async def test_nothing_changes_between_polls_of_the_same_moment(demo: Demo) -> None:
    for source in (demo.am, demo.prom_alerts, demo.kafka, demo.tenants, demo.pg):
        demo.at(150)
        first = (await source.poll()).items
        demo.at(150.8)
        assert (await source.poll()).items == first, source.name
    demo.at(160)
    tenants = (await demo.tenants.poll()).items
    demo.at(179)
    assert (await demo.tenants.poll()).items == tenants


async def test_prometheus_api_errors_and_extras(demo: Demo) -> None:
    demo.at(150)
    url = demo.demo.prometheus_url
    api = PrometheusApi(url)
    with pytest.raises(SourceError, match=r"HTTP 400 .*function rate\(\) is not supported"):
        await api.query("sum(rate(http_requests_total[5m]))")
    await api.aclose()
    async with httpx.AsyncClient(base_url=url) as client:
        bad = await client.get("/api/v1/query", params={"query": "sum(x"})
        assert bad.status_code == 400
        assert bad.json()["status"] == "error" and bad.json()["errorType"] == "bad_data"
        posted = await client.post(
            "/api/v1/query", data={"query": "max(pg_settings_max_connections)"}
        )
        assert posted.json()["data"]["result"][0]["value"][1] == "200"
        ranged = await client.get(
            "/api/v1/query_range",
            params={"query": "sum(pg_stat_activity_count)", "start": str(T0.timestamp() - 60),
                    "end": str(T0.timestamp() + 120), "step": "30s"},
        )  # fmt: skip
        (series,) = ranged.json()["data"]["result"]
        totals = [float(v) for _, v in series["values"]]
        assert len(totals) == 7 and max(totals[:3]) < 100 and totals[-1] > 170
        for path, text in (("/-/ready", "Ready"), ("/-/healthy", "Healthy")):
            answer = await client.get(path)
            assert answer.status_code == 200 and text in answer.text
        info = (await client.get("/api/v1/status/buildinfo")).json()
        assert info["status"] == "success" and "version" in info["data"]
        assert (await client.get("/api/v1/nope")).json()["errorType"] == "not_found"


async def test_alertmanager_api_details(demo: Demo) -> None:
    demo.at(150)
    async with httpx.AsyncClient(base_url=demo.demo.alertmanager_url) as client:
        filtered = await client.get("/api/v2/alerts", params={"filter": 'severity=~"SEV-[12]"'})
        assert [a["labels"]["alertname"] for a in filtered.json()] == [
            "PostgresConnectionsExhausted"
        ]
        (alert,) = filtered.json()
        assert alert["receivers"] == [{"name": "pagerduty-oncall"}]
        assert alert["status"] == {
            "state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []
        }  # fmt: skip
        assert alert["endsAt"] > alert["updatedAt"] >= alert["startsAt"]
        bad = await client.get("/api/v2/alerts", params={"filter": "severity=~("})
        assert bad.status_code == 400 and "bad matcher" in bad.json()["message"]
        assert (await client.get("/-/ready")).status_code == 200
        assert (await client.get("/api/v2/silences")).json() == []


async def test_speed_compresses_the_script() -> None:
    clock = FrozenClock(T0)
    with DemoPlatform(clock, speed=10.0) as platform:
        clock.advance(15.0)
        assert platform.elapsed() == pytest.approx(150.0)
        source = AlertmanagerAlerts(platform.alertmanager_url)
        names = {i["name"] for i in (await source.poll()).items}
        await source.aclose()
    assert "KafkaConsumerLagHigh" in names and len(names) == 5
    assert "rolled back" not in platform.beat()


def test_lifecycle_and_optional_fakes() -> None:
    clock = FrozenClock(T0)
    platform = DemoPlatform(clock, with_k8s=True, with_pagerduty=True)
    assert platform.elapsed() == 0.0
    with pytest.raises(RuntimeError, match=r"call DemoPlatform\.start"):
        _ = platform.prometheus_url
    with platform:
        assert platform.start() is platform  # idempotent
        version = httpx.get(platform.k8s_url + "/version", timeout=5)
        assert version.status_code == 200 and "gitVersion" in version.json()
        assert platform.pagerduty_url.startswith("https://127.0.0.1:")
        prom = platform.prometheus_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(prom + "/-/ready", timeout=2)
    with pytest.raises(ValueError, match="speed"):
        DemoPlatform(clock, speed=0)


@pytest.fixture
def near_now() -> Iterator[tuple[DemoPlatform, FrozenClock]]:
    """A demo whose t=150 is the real present, so a real Alertmanager accepts its alerts."""
    now = datetime.now(UTC)
    clock = FrozenClock(now - timedelta(seconds=150))
    with DemoPlatform(clock) as platform:
        clock.set(now)
        yield platform, clock


@pytest.mark.servers
async def test_same_items_as_a_real_alertmanager(
    near_now: tuple[DemoPlatform, FrozenClock], alertmanager_server: Any
) -> None:
    """Post the demo's alerts to a real Alertmanager: both answers normalise identically."""
    platform, _ = near_now
    async with httpx.AsyncClient() as client:
        sent = (await client.get(platform.alertmanager_url + "/api/v2/alerts")).json()
        keep = ("labels", "annotations", "startsAt", "endsAt", "generatorURL")
        posted = await client.post(
            alertmanager_server.url + "/api/v2/alerts", json=[{k: a[k] for k in keep} for a in sent]
        )
        assert posted.status_code == 200, posted.text
    real_source = AlertmanagerAlerts(alertmanager_server.url)
    demo_source = AlertmanagerAlerts(platform.alertmanager_url)
    ours = {i["key"]: i for i in (await demo_source.poll()).items}
    theirs = {i["key"]: i for i in (await real_source.poll()).items if i["key"] in ours}
    await real_source.aclose()
    await demo_source.aclose()
    assert len(ours) == 5
    assert theirs == ours
