"""Kafka lag, tenant quotas and the exporter fallback, from canned Prometheus answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cockpit.sources.base import SourceError
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import NO_AGES, ExporterConnections
from cockpit.sources.promql import escape_label_value
from cockpit.sources.tenants import PrometheusTenantQuota


def vector(*series: tuple[dict[str, str], str], warnings: list[str] | None = None) -> Any:
    result = [{"metric": m, "value": [1740830400.0, v]} for m, v in series]
    body: dict[str, Any] = {"status": "success", "data": {"resultType": "vector", "result": result}}
    if warnings:
        body["warnings"] = warnings
    return body


def by_query(answers: dict[str, Any], seen: list[str]) -> Callable[[httpx.Request], Any]:
    """A fake Prometheus answering each query by the metric name it mentions."""

    async def handler(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        seen.append(query)
        for metric, answer in answers.items():
            if metric in query:
                if isinstance(answer, float):
                    await asyncio.sleep(answer)
                    return httpx.Response(200, json=vector())
                if isinstance(answer, int):
                    return httpx.Response(answer, text="boom")
                return httpx.Response(200, json=answer)
        return httpx.Response(200, json=vector())

    return handler


async def test_kafka_lag_sums_partitions_and_accepts_both_group_labels() -> None:
    seen: list[str] = []
    answer = vector(
        ({"consumergroup": "ocr-workers", "topic": "kyc.ocr"}, "12500"),
        ({"group": "ocr-workers", "topic": "kyc.ocr"}, "500"),
        ({"group": "aml", "topic": "kyc.aml"}, "NaN"),
        ({"consumergroup": "bio", "topic": "kyc.bio"}, "3.4e1"),
        warnings=["some series were dropped"],
    )
    transport = httpx.MockTransport(by_query({"kafka_consumer_lag": answer}, seen))
    source = PrometheusKafkaLag("http://prom.test", transport=transport, timeout_s=4)
    snap = await source.poll()
    # The lag itself, and (job "auto") which jobs export it, for the absence check.
    assert seen == [
        "sum by (consumergroup, group, topic) (kafka_consumer_lag)",
        "count by (job) (kafka_consumer_lag)",
    ]
    assert snap.kind == "kafka"
    assert [(i["key"], i["lag"], i["partition"]) for i in snap.items] == [
        ("aml/kyc.aml", None, None),
        ("bio/kyc.bio", 34, None),
        ("ocr-workers/kyc.ocr", 13000, None),
    ]
    assert snap.warnings == (
        "some series were dropped",
        "consumer lag: non-finite value (NaN/Inf) shown as none",
    )


async def test_kafka_query_carries_the_deadline_to_prometheus() -> None:
    params: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params.append(dict(request.url.params))
        return httpx.Response(200, json=vector())

    source = PrometheusKafkaLag("http://prom.test", transport=httpx.MockTransport(handler))
    await source.poll()
    assert params[0]["timeout"] == "5s"


def test_bad_metric_name_is_refused() -> None:
    with pytest.raises(SourceError) as info:
        PrometheusKafkaLag("http://prom.test", metric='lag{x="1"}')
    assert info.value.kind == "config"


async def test_tenants_merge_three_metrics_and_keep_absent_ones_none() -> None:
    seen: list[str] = []
    answers = {
        "tenant_checks_month": vector(({"tenant": "acme"}, "9800"), ({"tenant": "zeta"}, "10")),
        "license_limit": vector(({"tenant": "acme"}, "10000"), ({"tenant": "zeta"}, "+Inf")),
        "rne_subscription_balance": vector(({"tenant": "acme"}, "420"), ({}, "5")),
    }
    transport = httpx.MockTransport(by_query(answers, seen))
    snap = await PrometheusTenantQuota("http://prom.test", transport=transport).poll()
    assert sorted(seen) == [
        "count by (job) (tenant_checks_month)",
        "max by (tenant) (license_limit)",
        "max by (tenant) (rne_subscription_balance)",
        "max by (tenant) (tenant_checks_month)",
    ]
    assert list(snap.items) == [
        {
            "key": "acme",
            "tenant": "acme",
            "checks_month": 9800,
            "license_limit": 10000,
            "rne_balance": 420,
        },
        {
            "key": "zeta",
            "tenant": "zeta",
            "checks_month": 10,
            "license_limit": None,
            "rne_balance": None,
        },
    ]
    assert "license_limit: non-finite value (NaN/Inf) shown as none" in snap.warnings
    assert "rne_balance: series without a tenant label ignored" in snap.warnings


async def test_tenants_scale_to_5000() -> None:
    names = [f"tenant-{n:04d}" for n in range(5000)]
    answers = {
        metric: vector(*(({"tenant": t}, str(i)) for i, t in enumerate(names)))
        for metric in ("tenant_checks_month", "license_limit", "rne_subscription_balance")
    }
    transport = httpx.MockTransport(by_query(answers, []))
    snap = await PrometheusTenantQuota("http://prom.test", transport=transport).poll()
    assert len(snap.items) == 5000
    assert snap.items[4999] == {
        "key": "tenant-4999",
        "tenant": "tenant-4999",
        "checks_month": 4999,
        "license_limit": 4999,
        "rne_balance": 4999,
    }


async def test_tenant_queries_share_one_deadline() -> None:
    # 3 x 0.4 s would overrun the 1 s deadline if run one after the other; together they fit.
    answers = {"tenant_checks_month": 0.4, "license_limit": 0.4, "rne_subscription": 0.4}
    transport = httpx.MockTransport(by_query(answers, []))
    snap = await PrometheusTenantQuota("http://p.test", transport=transport, timeout_s=1.0).poll()
    assert snap.items == ()
    assert snap.duration_ms < 1000


async def test_tenant_queries_time_out_together() -> None:
    answers = {"tenant_checks_month": 5.0, "license_limit": 5.0, "rne_subscription": 5.0}
    transport = httpx.MockTransport(by_query(answers, []))
    source = PrometheusTenantQuota("http://p.test", transport=transport, timeout_s=0.2)
    began = time.monotonic()
    with pytest.raises(SourceError) as info:
        await source.poll()
    assert info.value.kind == "timeout"
    assert time.monotonic() - began < 1.0


async def test_one_failed_tenant_query_fails_the_poll_and_cancels_the_rest() -> None:
    answers = {"tenant_checks_month": 5.0, "license_limit": 503, "rne_subscription": 5.0}
    transport = httpx.MockTransport(by_query(answers, []))
    source = PrometheusTenantQuota("http://p.test", transport=transport, timeout_s=3)
    began = time.monotonic()
    with pytest.raises(SourceError) as info:
        await source.poll()
    assert info.value.kind == "http" and "503" in info.value.message
    assert time.monotonic() - began < 1.0


async def test_exporter_fallback_counts_states() -> None:
    seen: list[str] = []
    answers = {
        "pg_stat_activity_count": vector(
            ({"state": "active"}, "3"),
            ({"state": "idle"}, "12"),
            ({"state": "idle in transaction"}, "2"),
            ({"state": "disabled"}, "0"),
        ),
        "pg_settings_max_connections": vector(({}, "100")),
        "pg_up": vector(({}, "1")),
    }
    transport = httpx.MockTransport(by_query(answers, seen))
    source = ExporterConnections("http://prom.test", transport=transport, datname='k"yc')
    snap = await source.poll()
    assert 'sum by (state) (pg_stat_activity_count{datname="k\\"yc"})' in seen
    assert snap.source == "postgres-exporter" and snap.kind == "postgres"
    assert snap.items == (
        {
            "max_connections": 100,
            "total": 17,
            "by_state": {"active": 3, "idle": 12, "idle in transaction": 2},
            "by_application": {},
            "long_running": 0,
            "idle_in_transaction_old": 0,
        },
    )
    assert snap.warnings == (NO_AGES,)


@pytest.mark.parametrize(
    ("up", "kind", "words"),
    [(vector(({}, "0")), "connect", "pg_up 0"), (vector(), "parse", "no pg_up series")],
)
async def test_exporter_fallback_reports_an_exporter_without_database(
    up: Any, kind: str, words: str
) -> None:
    transport = httpx.MockTransport(by_query({"pg_up": up}, []))
    with pytest.raises(SourceError) as info:
        await ExporterConnections("http://prom.test", transport=transport).poll()
    assert info.value.kind == kind
    assert words in info.value.message


def test_promql_label_escaping() -> None:
    assert escape_label_value('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
