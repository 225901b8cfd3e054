"""The dashboard against the real loopback stack: values served appear in the panes, and a
source that fails, hangs or only half answers is shown so while the other panes go on."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from stack.stack import Stack
from uikit import live_app, screen_text, wait_for, wait_text

pytestmark = pytest.mark.servers

ENV = "TEST_DASH_PG_DSN"


def write_config(
    path: Path, stack: Stack, *, alertmanager: str | None = None, postgres: bool = True
) -> Path:
    am_url = alertmanager or stack.alertmanager.url
    pg = f'[postgres]\ndsn_env = "{ENV}"\n' if postgres else ""
    path.write_text(
        f"""
[prometheus]
url = "{stack.prometheus.url}"
timeout_seconds = 3

[alertmanager]
url = "{am_url}"
timeout_seconds = 3

{pg}
[ui]
refresh_seconds = 1
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def leaky_sessions(stack: Stack) -> Iterator[int]:
    """Four sessions of `leaky-svc` left idle in a transaction."""
    conns = [psycopg.connect(stack.pg.dsn, application_name="leaky-svc") for _ in range(4)]
    for conn in conns:
        conn.execute("SELECT 1")
    try:
        yield len(conns)
    finally:
        for conn in conns:
            conn.close()


def line_with(text: str, needle: str) -> str:
    return next((line for line in text.splitlines() if needle in line), "")


async def test_values_served_by_the_stack_appear_in_every_pane(
    tmp_path: Path, stack: Stack, fresh_scenario: object, leaky_sessions: int
) -> None:
    stack.scenario.set_gauge(
        "kafka_consumer_lag", 31_234, consumergroup="kyc-consumer", topic="kyc.cases",
        partition="0",
    )  # fmt: skip
    stack.scenario.set_gauge("tenant_checks_month", 970, tenant="dash-bank")
    stack.scenario.set_gauge("license_limit", 1000, tenant="dash-bank")
    stack.scenario.set_gauge("rne_subscription_balance", 640, tenant="dash-bank")
    config = write_config(tmp_path / "cockpit.toml", stack)
    app = live_app(config, tmp_path / "live.jsonl", {ENV: stack.pg.ro_dsn})
    async with app.run_test(size=(200, 50)) as pilot:
        text = await wait_text(pilot, "31,234", "dash-bank", "leaky-svc", "LIVE")
        assert "kyc-consumer" in line_with(text, "31,234")
        assert "97.0 %" in line_with(text, "dash-bank")
        assert "640" in line_with(text, "dash-bank")
        assert re.search(rf"leaky-svc\s+{leaky_sessions}\b", text), line_with(text, "leaky-svc")
        assert "/40" in text  # used / max_connections of the test server
        text = await wait_text(pilot, "KafkaConsumerLagHigh", timeout_s=30)
        assert "RB-" in line_with(text, "KafkaConsumerLagHigh")
        assert "FAILED" not in text and "STALE" not in text
    log = (tmp_path / "live.jsonl").read_text(encoding="utf-8")
    assert '"kafka.lag.observed"' in log and '"postgres.connections.observed"' in log


async def test_a_source_that_is_down_fails_visibly_and_keys_still_answer(
    tmp_path: Path, stack: Stack
) -> None:
    config = write_config(tmp_path / "c.toml", stack, alertmanager="http://127.0.0.1:9")
    app = live_app(config, tmp_path / "down.jsonl", {ENV: stack.pg.ro_dsn})
    async with app.run_test(size=(80, 24)) as pilot:
        text = await wait_text(pilot, "FAILED")
        assert "Alerts" in text
        await pilot.press("4")
        text = await wait_text(pilot, "Tenant quotas")
        assert "FAILED" not in line_with(text, "╰")  # the tenants pane is healthy
        await pilot.press("3")
        await wait_text(pilot, "PostgreSQL")


async def test_without_a_dsn_the_exporter_fallback_is_shown_partial(
    tmp_path: Path, stack: Stack
) -> None:
    config = write_config(tmp_path / "c.toml", stack, postgres=False)
    app = live_app(config, tmp_path / "partial.jsonl", {})
    async with app.run_test(size=(200, 50)) as pilot:
        text = await wait_text(pilot, "PARTIAL", "exporter")
        assert "PostgreSQL" in text


class _Gate(http.server.ThreadingHTTPServer):
    """A proxy to Alertmanager that can be told to hang (a frozen server)."""

    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 drops SYNs in a burst (1 s retransmit)

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.open = threading.Event()
        self.open.set()
        super().__init__(("127.0.0.1", 0), _GateHandler)


class _GateHandler(http.server.BaseHTTPRequestHandler):
    server: _Gate

    def do_GET(self) -> None:
        self.server.open.wait(30)
        with urllib.request.urlopen(self.server.upstream + self.path, timeout=5) as reply:
            body = reply.read()
        with contextlib.suppress(OSError):  # the client gave up on a hung request
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


async def test_a_hanging_source_turns_stale_then_failed_then_recovers(
    tmp_path: Path, stack: Stack
) -> None:
    gate = _Gate(stack.alertmanager.url)
    threading.Thread(target=gate.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{gate.server_address[1]}"
        config = write_config(tmp_path / "c.toml", stack, alertmanager=url)
        app = live_app(config, tmp_path / "hang.jsonl", {ENV: stack.pg.ro_dsn})
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for(pilot, lambda t: "Alerts" in t and "live" in line_with(t, "╰"))
            gate.open.clear()
            await wait_text(pilot, "STALE", timeout_s=8)
            text = await wait_text(pilot, "FAILED", timeout_s=10)
            assert "timeout" in text.lower()
            await pilot.press("question_mark")  # keys answer while the poll hangs
            await wait_text(pilot, "Esc closes this help")
            await pilot.press("escape")
            gate.open.set()
            await wait_for(
                pilot, lambda t: "FAILED" not in t and "STALE" not in t, timeout_s=8,
                what="recovery",
            )  # fmt: skip
            assert "Alerts" in screen_text(app)
    finally:
        gate.open.set()
        gate.shutdown()
        gate.server_close()
