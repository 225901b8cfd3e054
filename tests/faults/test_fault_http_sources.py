"""Every HTTP source against a server that is down, hangs, is slow, errs or answers junk."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakeapi import HTML, TRUNCATED, FaultyApi, Misbehaviour, huge

from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.base import SourceError
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.prometheus_alerts import PrometheusAlerts
from cockpit.sources.tenants import PrometheusTenantQuota

DEADLINE_S = 0.5
SLACK_S = 0.6
"""Scheduling slack on a loaded 2-core machine; the budget itself is the source deadline."""

SOURCES: dict[str, Callable[[str], Any]] = {
    "alertmanager": lambda url: AlertmanagerAlerts(url, timeout_s=DEADLINE_S),
    "prometheus-alerts": lambda url: PrometheusAlerts(url, timeout_s=DEADLINE_S),
    "kafka": lambda url: PrometheusKafkaLag(url, timeout_s=DEADLINE_S),
    "tenants": lambda url: PrometheusTenantQuota(url, timeout_s=DEADLINE_S),
    "pg-exporter": lambda url: ExporterConnections(url, timeout_s=DEADLINE_S),
}


@pytest.fixture(scope="module")
def api() -> Iterator[FaultyApi]:
    fake = FaultyApi()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def healthy(api: FaultyApi) -> Iterator[FaultyApi]:
    api.clear_faults()
    api.misbehaviour = None
    yield api
    api.clear_faults()
    api.misbehaviour = None


async def failure(source: Any, within_s: float) -> SourceError:
    """Poll once; the poll must fail with a SourceError inside `within_s`."""
    began = time.monotonic()
    try:
        with pytest.raises(SourceError) as info:
            await source.poll()
    finally:
        await source.aclose()
    took = time.monotonic() - began
    assert took < within_s, f"failure took {took:.2f} s (budget {within_s:.2f} s)"
    assert "\n" not in info.value.message and "\x1b" not in info.value.message
    return info.value


@pytest.mark.parametrize("name", SOURCES)
async def test_server_down_fails_fast_as_connect(name: str, healthy: FaultyApi) -> None:
    error = await failure(SOURCES[name]("http://127.0.0.1:9"), 1.0)
    assert error.kind == "connect"
    assert "127.0.0.1:9" in error.message


@pytest.mark.parametrize("delay_s", [30.0, 1.5], ids=["hangs", "slow-past-deadline"])
@pytest.mark.parametrize("name", SOURCES)
async def test_hang_or_slow_answer_stops_at_the_deadline(
    name: str, delay_s: float, healthy: FaultyApi
) -> None:
    healthy.set_fault(r"^/api/", delay_s=delay_s)
    error = await failure(SOURCES[name](healthy.url), DEADLINE_S + SLACK_S)
    assert error.kind == "timeout"
    assert re.search(rf"(within|took over) {DEADLINE_S:g} s", error.message)


@pytest.mark.parametrize("status", [500, 503])
@pytest.mark.parametrize("name", SOURCES)
async def test_server_errors_name_the_status(name: str, status: int, healthy: FaultyApi) -> None:
    healthy.set_fault(r"^/api/", status=status)
    error = await failure(SOURCES[name](healthy.url), 1.0)
    assert error.kind == "http"
    assert f"HTTP {status} from 127.0.0.1:{healthy.port}" in error.message
    assert error.retry_after_s is None


@pytest.mark.parametrize("name", SOURCES)
async def test_429_carries_retry_after(name: str, healthy: FaultyApi) -> None:
    healthy.set_fault(r"^/api/", status=429, headers={"Retry-After": "7"})
    error = await failure(SOURCES[name](healthy.url), 1.0)
    assert error.kind == "rate_limited"
    assert error.retry_after_s == 7.0
    assert "HTTP 429" in error.message


@pytest.mark.parametrize("bad", [HTML, TRUNCATED], ids=["html", "truncated-json"])
@pytest.mark.parametrize("name", SOURCES)
async def test_junk_bodies_are_parse_errors(
    name: str, bad: Misbehaviour, healthy: FaultyApi
) -> None:
    healthy.misbehaviour = bad
    error = await failure(SOURCES[name](healthy.url), 1.0)
    assert error.kind == "parse"
    assert error.message.startswith("not JSON: ")


@pytest.fixture(scope="module")
def huge_body() -> Misbehaviour:
    return huge()


@pytest.mark.parametrize("name", SOURCES)
async def test_huge_answer_is_refused_before_it_is_read(
    name: str, healthy: FaultyApi, huge_body: Misbehaviour
) -> None:
    healthy.misbehaviour = huge_body
    error = await failure(SOURCES[name](healthy.url), 1.0)
    assert error.kind == "too_large"
    assert re.search(
        r"answer of (more than )?\d+\.\d MB from .* is over the 8\.0 MB limit", error.message
    )


@pytest.mark.parametrize("name", SOURCES)
async def test_the_same_source_object_recovers_on_the_next_poll(
    name: str, healthy: FaultyApi
) -> None:
    source = SOURCES[name](healthy.url)
    healthy.set_fault(r"^/api/", status=503, times=5)
    with pytest.raises(SourceError):
        await source.poll()
    healthy.clear_faults()
    snap = await source.poll()
    await source.aclose()
    assert snap.source == source.name
    assert snap.items == () or snap.kind == "postgres"
