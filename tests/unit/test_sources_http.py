"""Every HTTP source turns every bad answer into one SourceError kind, without retrying."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cockpit.clock import FrozenClock
from cockpit.sources._http import JsonArray
from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.base import SourceError
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.prometheus_alerts import PrometheusAlerts
from cockpit.sources.tenants import PrometheusTenantQuota

Handler = Callable[[httpx.Request], Any]
SOURCES = {
    "alertmanager": AlertmanagerAlerts,
    "prometheus-alerts": PrometheusAlerts,
    "kafka": PrometheusKafkaLag,
    "tenants": PrometheusTenantQuota,
    "exporter": ExporterConnections,
}
URL = "http://user:s3cret@prom.test:9090"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def build(which: str, handler: Handler, url: str = URL, **kwargs: Any) -> Any:
    transport = httpx.MockTransport(handler)
    kwargs.setdefault("clock", FrozenClock(NOW))
    return SOURCES[which](url, transport=transport, **kwargs)


async def fail(which: str, handler: Handler, **kwargs: Any) -> SourceError:
    source = build(which, handler, **kwargs)
    with pytest.raises(SourceError) as info:
        await source.poll()
    await source.aclose()
    message = info.value.message
    assert "\n" not in message and "s3cret" not in message
    return info.value


@pytest.fixture(params=sorted(SOURCES))
def which(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_html_page_is_a_parse_error(which: str) -> None:
    page = b"<html><body>\x1b[2JSign in to the proxy</body></html>"
    err = await fail(which, lambda r: httpx.Response(200, content=page))
    assert err.kind == "parse"
    assert err.message.startswith("not JSON: '<html><body>Sign in")
    assert "\x1b" not in err.message


async def test_truncated_json_is_a_parse_error(which: str) -> None:
    err = await fail(which, lambda r: httpx.Response(200, content=b'{"status":"success","da'))
    assert err.kind == "parse"
    assert "not JSON" in err.message


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_name_the_status_and_are_not_retried(which: str, status: int) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(status, json={"status": "error", "error": "overloaded [/] \x1b[6n"})

    err = await fail(which, handler)
    assert err.kind == "http"
    assert f"HTTP {status} from prom.test:9090" in err.message
    assert "overloaded [/]" in err.message and "\x1b" not in err.message
    # Tenants and exporter run their queries in parallel: one request per query, none again.
    assert len(calls) == len(set(calls))


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failures(which: str, status: int) -> None:
    err = await fail(which, lambda r: httpx.Response(status, text="denied"))
    assert err.kind == "auth"
    assert str(status) in err.message


async def test_rate_limited_in_seconds(which: str) -> None:
    err = await fail(which, lambda r: httpx.Response(429, headers={"Retry-After": "7"}))
    assert err.kind == "rate_limited"
    assert err.retry_after_s == 7.0


async def test_rate_limited_with_http_date_uses_the_injected_clock() -> None:
    headers = {"Retry-After": "Sat, 01 Mar 2025 12:00:30 GMT"}
    err = await fail("kafka", lambda r: httpx.Response(429, headers=headers))
    assert err.retry_after_s == 30.0


async def test_huge_declared_body_is_refused(which: str) -> None:
    body = b"[" + b"0," * (11 * 1024 * 1024) + b"0]"
    err = await fail(which, lambda r: httpx.Response(200, content=body))
    assert err.kind == "too_large"
    assert re.fullmatch(
        r"answer of 22\.0 MB from \S+ is over the 8\.0 MB limit \(.*\)", err.message
    )


async def test_huge_streamed_body_is_cut_while_reading() -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):  # 100 MB if nobody stops reading
            sent += 1
            yield b" " * (1024 * 1024)

    err = await fail("alertmanager", lambda r: httpx.Response(200, content=chunks()))
    # Past the 8 MB cap nothing is kept; reading stops at 4 x the cap to give a size.
    assert "answer of more than 32.0 MB" in err.message
    assert "over the 8.0 MB limit" in err.message
    assert sent <= 34


async def test_deadline_covers_a_server_that_never_answers() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json=[])

    began = time.monotonic()
    err = await fail("alertmanager", handler, timeout_s=0.2)
    assert err.kind == "timeout"
    assert time.monotonic() - began < 2.0


async def test_connection_refused_is_a_connect_error(which: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    err = await fail(which, handler)
    assert err.kind == "connect"
    assert "prom.test:9090" in err.message


async def test_prometheus_error_envelope_is_reported() -> None:
    body = {"status": "error", "errorType": "bad_data", "error": "parse error at char 3"}
    err = await fail("kafka", lambda r: httpx.Response(200, json=body))
    assert err.kind == "http"
    assert err.message == "Prometheus bad_data: parse error at char 3"


async def test_headers_and_bearer_token_are_sent() -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json=[])

    url = "http://prom.test:9090/prefix"
    source = build("alertmanager", handler, url, bearer_token="tok-1", headers={"X-Org": "7"})
    await source.poll()
    await source.aclose()
    assert seen[0]["authorization"] == "Bearer tok-1"
    assert seen[0]["x-org"] == "7"
    assert seen[0]["user-agent"] == "incident-cockpit"


async def test_url_credentials_become_basic_auth_and_never_show() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502)

    err = await fail("alertmanager", handler)
    assert seen[0].headers["authorization"].startswith("Basic ")
    assert seen[0].url.path == "/api/v2/alerts"
    assert "user" not in err.message


def test_url_credentials_and_token_together_are_refused() -> None:
    with pytest.raises(SourceError) as info:
        AlertmanagerAlerts(URL, bearer_token="tok")
    assert info.value.kind == "config"


@pytest.mark.parametrize("url", ["ftp://x", "not a url", "http://"])
def test_bad_url_is_a_config_error(url: str) -> None:
    with pytest.raises(SourceError) as info:
        AlertmanagerAlerts(url)
    assert info.value.kind == "config"


def test_missing_ca_file_is_a_config_error(tmp_path: Any) -> None:
    with pytest.raises(SourceError) as info:
        PrometheusKafkaLag("https://prom.test", ca_file=str(tmp_path / "nope.pem"))
    assert info.value.kind == "config"
    assert "nope.pem" in info.value.message


async def test_alertmanager_string_error_body_is_quoted() -> None:
    err = await fail("alertmanager", lambda r: httpx.Response(400, json="bad filter \x07"))
    assert err.kind == "http"
    assert err.message == "HTTP 400 from prom.test:9090: bad filter"


async def test_big_answers_are_parsed_off_the_loop_and_still_fail_cleanly() -> None:
    big_truncated = b'[{"labels": {"alertname": "' + b"x" * (300 * 1024)
    err = await fail("alertmanager", lambda r: httpx.Response(200, content=big_truncated))
    assert err.kind == "parse" and err.message.startswith("not JSON: ")


def test_bad_url_error_never_echoes_credentials() -> None:
    with pytest.raises(SourceError) as info:
        AlertmanagerAlerts("ftp://admin:hunter2@am.test")
    assert "hunter2" not in info.value.message and "am.test" in info.value.message


async def test_a_big_answer_not_processed_in_time_says_so_not_that_none_came() -> None:
    alert = {"labels": {"alertname": "A", "tenant": "t"}, "annotations": {"summary": "s" * 300}}
    body = json.dumps([{**alert, "fingerprint": f"{i:016x}"} for i in range(20_000)]).encode()
    err = await fail(
        "alertmanager",
        lambda r: httpx.Response(200, content=body),
        timeout_s=0.05,
        max_body_bytes=16 * 2**20,
    )
    assert err.kind == "timeout"
    assert re.fullmatch(
        r"answer of \d+\.\d MB from prom\.test:9090 received but not processed within 0\.05 s",
        err.message,
    ), err.message


def test_a_json_array_is_decoded_element_by_element_and_checked_to_the_end() -> None:
    assert list(JsonArray(b' [1, {"a": [2]} ,"x"] \n')) == [1, {"a": [2]}, "x"]
    assert list(JsonArray(b"[]")) == []
    for bad in (b"[1, 2", b"[1 2]", b"[1,]", b"[1] x", b'{"a": 1}'):
        with pytest.raises(SourceError) as info:
            list(JsonArray(bad))
        assert info.value.kind == "parse" and info.value.message.startswith("not JSON: ")
