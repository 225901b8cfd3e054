"""The scenario exporter on its own: exposition, OCR switch, validation and reset."""

from __future__ import annotations

import httpx
import pytest

from cockpit.sim.exporter import ScenarioExporter


def _metrics(exporter: ScenarioExporter) -> str:
    answer = httpx.get(f"{exporter.url}/metrics", timeout=5)
    assert answer.status_code == 200
    return answer.text


def test_values_set_at_run_time_are_served() -> None:
    with ScenarioExporter() as exporter:
        exporter.set_gauge("rne_subscription_balance", 42, tenant="acme-bank")
        exporter.inc_counter("liveness_fail_total", 7, tenant="new-tenant")
        exporter.observe_latency("kyc-svc", 0.7, 5)
        text = _metrics(exporter)
    assert 'rne_subscription_balance{tenant="acme-bank"} 42.0' in text
    assert 'liveness_fail_total{tenant="new-tenant"} 7.0' in text
    # 100 healthy requests at 80 ms plus 5 at 700 ms: only the 1 s bucket and above see them.
    assert 'http_request_duration_seconds_bucket{le="0.6",service="kyc-svc"} 100.0' in text
    assert 'http_request_duration_seconds_bucket{le="1.0",service="kyc-svc"} 105.0' in text
    assert 'http_request_duration_seconds_count{service="kyc-svc"} 105.0' in text
    assert "process_" not in text and "_created" not in text


def test_ocr_path_answers_503_when_down_and_reset_restores_health() -> None:
    with ScenarioExporter() as exporter:
        ocr = f"{exporter.url}/ocr/metrics"
        assert httpx.get(ocr, timeout=5).status_code == 200
        exporter.set_ocr_up(False)
        exporter.set_gauge("kafka_consumer_lag", 99_999, consumergroup="kyc-consumer",
                           topic="kyc.case.events", partition="0")  # fmt: skip
        assert httpx.get(ocr, timeout=5).status_code == 503
        exporter.reset()
        assert httpx.get(ocr, timeout=5).status_code == 200
        assert "99999" not in _metrics(exporter)


def test_bad_calls_say_what_is_wrong() -> None:
    exporter = ScenarioExporter()
    with pytest.raises(ValueError, match="needs labels consumergroup, topic, partition"):
        exporter.set_gauge("kafka_consumer_lag", 1, group="g")
    with pytest.raises(ValueError, match="unknown scenario metric"):
        exporter.set_gauge("no_such_metric", 1)
    with pytest.raises(ValueError, match="is a counter"):
        exporter.set_gauge("liveness_fail_total", 1, tenant="t")
    with pytest.raises(ValueError, match="only goes up"):
        exporter.inc_counter("liveness_fail_total", -1, tenant="t")
    with pytest.raises(RuntimeError, match="not started"):
        _ = exporter.url


def test_two_exporters_get_distinct_free_ports() -> None:
    with ScenarioExporter() as first, ScenarioExporter() as second:
        assert first.port != second.port > 0
