"""Absence is not health: series gone with their job down fail the poll; the views say so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from test_fold_support import T0, Log, at

from cockpit.config import ConfigError, Settings, load_settings
from cockpit.domain.fold import fold
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS
from cockpit.domain.views import FAILED, PARTIAL, source_status
from cockpit.log import events as ev
from cockpit.screens.header import HeaderInfo, header_text
from cockpit.screens.panes.status import pane_status
from cockpit.sources.absence import ABSENT
from cockpit.sources.base import SourceError
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.tenants import PrometheusTenantQuota
from cockpit.wiring import build_sources


def vector(*series: tuple[dict[str, str], str]) -> dict[str, Any]:
    result = [{"metric": m, "value": [1740830400.0, v]} for m, v in series]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


class FakeProm:
    """Answers by query: the lag (or tenants), `count by (job)` and `up`, each settable."""

    def __init__(self) -> None:
        self.series: list[tuple[dict[str, str], str]] = []
        self.up: list[tuple[dict[str, str], str]] = []
        self.seen: list[str] = []
        self.history: list[str] = []
        """Jobs that exported the metric within the last hour (last_over_time)."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        self.seen.append(query)
        if query.startswith("up{"):
            return httpx.Response(200, json=vector(*self.up))
        if query.startswith("count by (job) (last_over_time("):
            return httpx.Response(200, json=vector(*(({"job": j}, "1") for j in self.history)))
        if query.startswith("count by (job)"):
            jobs = sorted({m.get("job", "") for m, _ in self.series} - {""})
            return httpx.Response(200, json=vector(*(({"job": j}, "1") for j in jobs)))
        if "pg_up" in query or "max_connections" in query:
            return httpx.Response(200, json=vector(({}, "1")) if self.series else vector())
        return httpx.Response(200, json=vector(*self.series))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


LAG = {"consumergroup": "ocr", "topic": "kyc.ocr", "job": "kafka-exporter"}


async def test_auto_learns_the_job_then_reports_it_down_when_the_series_vanish() -> None:
    prom = FakeProm()
    prom.series = [(LAG, "12")]
    source = PrometheusKafkaLag("http://prom.test", transport=prom.transport())
    snap = await source.poll()
    assert [i["lag"] for i in snap.items] == [12] and snap.warnings == ()
    # The exporter dies: Prometheus marks its series stale and its up 0.
    prom.series = []
    prom.up = [({"job": "kafka-exporter", "instance": "k:9308"}, "0")]
    with pytest.raises(SourceError) as info:
        await source.poll()
    assert info.value.kind == ABSENT
    assert info.value.message == (
        "no series from job kafka-exporter: exporter down? (up == 0 on 1 of 1 targets)"
    )
    assert 'up{job="kafka-exporter"}' in prom.seen


async def test_an_unscraped_job_is_absence_too() -> None:
    prom = FakeProm()
    source = PrometheusTenantQuota(
        "http://prom.test", job="tenant-metrics", transport=prom.transport()
    )
    with pytest.raises(SourceError) as info:
        await source.poll()
    assert info.value.kind == ABSENT
    assert "no series from job tenant-metrics" in info.value.message
    assert "no target" in info.value.message


async def test_some_targets_down_is_partial_data_not_a_failure() -> None:
    prom = FakeProm()
    prom.series = [(LAG, "12")]
    prom.up = [({"job": "kafka-exporter", "instance": "a"}, "1"), ({"job": "kafka-exporter"}, "0")]
    source = PrometheusKafkaLag(
        "http://prom.test", job="kafka-exporter", transport=prom.transport()
    )
    snap = await source.poll()
    assert snap.items and snap.warnings == (
        "job kafka-exporter: up == 0 on 1 of 2 targets; data may be partial",
    )


async def test_an_empty_answer_with_nothing_known_is_partial_and_off_means_off() -> None:
    prom = FakeProm()
    snap = await PrometheusKafkaLag("http://prom.test", transport=prom.transport()).poll()
    assert snap.items == ()
    assert snap.warnings == (
        "no kafka_consumer_lag series in Prometheus for the last hour: is its exporter "
        "scraped? (name its job in [sources.jobs] kafka)",
    )
    off = PrometheusKafkaLag("http://prom.test", job="", transport=prom.transport())
    prom.seen.clear()
    assert (await off.poll()).warnings == ()
    assert prom.seen == ["sum by (consumergroup, group, topic) (kafka_consumer_lag)"]


async def test_started_while_the_exporter_is_down_the_jobs_come_from_the_last_hour() -> None:
    prom = FakeProm()
    prom.history = ["kafka-exporter"]
    prom.up = [({"job": "kafka-exporter", "instance": "k:9308"}, "0")]
    source = PrometheusKafkaLag("http://prom.test", transport=prom.transport())
    with pytest.raises(SourceError) as info:
        await source.poll()
    assert info.value.kind == ABSENT
    assert info.value.message.startswith("no series from job kafka-exporter: exporter down?")
    assert "count by (job) (last_over_time(kafka_consumer_lag[1h]))" in prom.seen


async def test_exporter_fallback_says_its_job_is_down() -> None:
    prom = FakeProm()
    prom.up = [({"job": "postgres"}, "0")]
    source = ExporterConnections("http://prom.test", job="postgres", transport=prom.transport())
    with pytest.raises(SourceError) as info:
        await source.poll()
    assert info.value.kind == ABSENT and "job postgres" in info.value.message


def _absent_log() -> Log:
    log = Log()
    sources = (
        {"name": "kafka", "kind": "kafka", "interval_s": 2.0},
        {"name": "am", "kind": "alerts", "interval_s": 2.0},
    )
    log.add(ev.SourcesConfigured(sources=sources), 0)
    item = {"key": "ocr/kyc.ocr", "group": "ocr", "topic": "kyc.ocr", "partition": None, "lag": 12}
    log.add(ev.KafkaLagObserved(source="kafka", items=(item,)), 60)
    log.add(ev.AlertsObserved(source="am"), 61)
    message = "no series from job kafka-exporter: exporter down? (up == 0 on 1 of 1 targets)"
    log.add(ev.SourceFailed("kafka", ABSENT, message, 12.0), 62)
    log.add(ev.SourcePolled("am", 3.0), 63)
    return log


def test_views_say_since_when_keep_the_values_and_the_header_does_not_count_it_ok() -> None:
    state = fold(_absent_log().events)
    status = source_status(state, "kafka", at(64), 2.0)
    assert status.status == FAILED and status.absent
    since = f"{at(60):%H:%M}"
    assert status.error == (
        f"no series from job kafka-exporter since {since} UTC: exporter down? "
        "(up == 0 on 1 of 1 targets)"
    )
    pane = pane_status(state, "kafka", at(64), DEFAULT_THRESHOLDS, 2.0)
    assert pane.status == FAILED
    assert pane.text.startswith("✖ NO SERIES: no series from job kafka-exporter since")
    assert pane.text.endswith("last values dimmed")
    # The last values stay in the state (the pane dims them); the lag is still 12.
    assert state.kafka["kafka"].totals[("ocr", "kyc.ocr")].lag == 12
    # Alerts over those series cannot fire: the alerts pane says they may be missing.
    alerts = pane_status(state, "alerts", at(64), DEFAULT_THRESHOLDS, 2.0)
    assert alerts.status == PARTIAL and "no series from kafka" in alerts.text
    header = header_text(HeaderInfo("LIVE"), state, at(64), 2.0).plain
    assert "kafka no series" in header and "ok" not in header.split("│")[-1]


def test_replay_of_the_same_events_derives_the_same_picture() -> None:
    events = _absent_log().events
    first = source_status(fold(events), "kafka", at(64), 2.0)
    again = source_status(fold(list(events)), "kafka", at(64), 2.0)
    assert first == again and at(64) > T0


def test_fresh_data_is_live_in_the_cockpit_and_fresh_at_a_replay_playhead() -> None:
    log = Log()
    log.add(ev.AlertsObserved(source="am"), 61)
    log.add(ev.SourcePolled("am", 3.0), 62)
    state = fold(log.events)
    live = pane_status(state, "alerts", at(63), DEFAULT_THRESHOLDS, 2.0)
    replayed = pane_status(state, "alerts", at(63), DEFAULT_THRESHOLDS, 2.0, replay=True)
    assert (live.status, live.text) == ("ok", "● live ≤2s")
    # A replay's fresh data is fresh at its playhead: "live" would read as the present.
    assert (replayed.status, replayed.text) == ("ok", "● fresh ≤2s")


def _settings(tmp_path: Path, sources: str) -> Settings:
    path = tmp_path / "c.toml"
    path.write_text(f'[prometheus]\nurl = "http://prom.test"\n[sources]\n{sources}\n', "utf-8")
    return load_settings(str(path), environ={})


def test_jobs_and_the_answer_cap_are_configured_per_pane(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 'jobs = { kafka = "kafka-exporter" }\nmax_answer_mb = 2.5')
    planned = {p.source.name: p.source for p in build_sources(settings, {})}
    lag = planned["prometheus-kafka"]
    assert isinstance(lag, PrometheusKafkaLag) and lag.watch.job == "kafka-exporter"
    tenants = planned["prometheus-tenants"]
    assert isinstance(tenants, PrometheusTenantQuota) and tenants.watch.job == "auto"
    assert lag._api.http.max_body_bytes == round(2.5 * 2**20)


def test_a_misspelt_pane_or_a_bad_job_name_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _settings(tmp_path, 'jobs = { kafak = "x" }')
    assert "jobs" in str(info.value) and "kafka" in str(info.value)
    with pytest.raises(ConfigError) as info:
        _settings(tmp_path, 'jobs = { kafka = "a\\u001bb" }')
    assert "not a Prometheus job name" in str(info.value)
