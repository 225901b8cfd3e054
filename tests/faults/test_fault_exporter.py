"""The exporter behind the lag and tenant panes dies or hangs, scraped by a real Prometheus.

Absence is not health: the panes must say "no series from job X since HH:MM", keep their
last values (dimmed), the header must not count them ok, and they come back by themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from appkit import build_app, status_line, wait_until
from stack.prometheus import PrometheusServer

from cockpit.app import CockpitApp
from cockpit.screens.header import header_text
from cockpit.sim.httpfake import FakeServer, Reply, Request
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.prometheus_alerts import PrometheusAlerts
from cockpit.sources.tenants import PrometheusTenantQuota
from cockpit.wiring import PlannedSource

EXPOSITION = """\
# TYPE kafka_consumer_lag gauge
kafka_consumer_lag{consumergroup="kyc-consumer",topic="kyc.case.events",partition="0"} 12000
kafka_consumer_lag{consumergroup="ocr-workers",topic="kyc.ocr",partition="0"} 40
# TYPE tenant_checks_month gauge
tenant_checks_month{tenant="acme-bank"} 9500
# TYPE license_limit gauge
license_limit{tenant="acme-bank"} 10000
# TYPE rne_subscription_balance gauge
rne_subscription_balance{tenant="acme-bank"} 4200
"""
JOB = "scenario"
"""The job name tests/stack's Prometheus gives the exporter it scrapes every second."""
INTERVAL_S = 1.0
DEADLINE_S = 2.0
SCRAPE_S = 1.0
SLACK_S = 2.5
"""Event-loop and thread scheduling on a shared 2-core machine."""
DETECT_S = 2 * SCRAPE_S + INTERVAL_S + DEADLINE_S + SLACK_S
"""A scrape to fail (a hung one times out after 1 s), then one poll to see it."""
RECOVER_S = SCRAPE_S + INTERVAL_S + DEADLINE_S + SLACK_S
"""A scrape to succeed, then one poll: within one interval plus the deadline."""


class FakeExporter(FakeServer):
    """An exporter whose /metrics the real Prometheus scrapes; stop() kills it, a fault hangs it."""

    def route(self, request: Request) -> Reply:
        # Connection: close, so a stopped exporter is really gone (no kept-alive handler).
        close = {"Connection": "close"}
        if request.path != "/metrics":  # the stack's ocr-svc job: down, and feeding nothing
            return Reply(404, b"no such path", "text/plain", close)
        return Reply(200, EXPOSITION.encode(), "text/plain; version=0.0.4", close)


@pytest.fixture(scope="module")
def prometheus() -> Iterator[tuple[FakeExporter, PrometheusServer]]:
    probe = FakeExporter()
    probe.start()
    port = probe.port
    probe.stop()
    exporter = FakeExporter(port=port)  # a fixed port: a stopped exporter comes back there
    exporter.start()
    # The other two jobs point at a closed port: they are down, and nothing here reads them.
    prom = PrometheusServer(
        scenario=f"127.0.0.1:{exporter.port}", pg_exporter="127.0.0.1:9", alertmanager="127.0.0.1:9"
    )
    try:
        prom.start()
        yield exporter, prom
    finally:
        prom.cleanup()
        exporter.stop()


def _planned(url: str) -> list[PlannedSource]:
    return [
        PlannedSource(PrometheusAlerts(url, name="alerts", timeout_s=DEADLINE_S), INTERVAL_S),
        PlannedSource(PrometheusKafkaLag(url, name="lag", timeout_s=DEADLINE_S), INTERVAL_S),
        PlannedSource(PrometheusTenantQuota(url, name="quota", timeout_s=DEADLINE_S), INTERVAL_S),
    ]


def _header(app: CockpitApp) -> str:
    return header_text(app.status_bar.info, app.session.state, app.session.now(), 1.0).plain


@pytest.mark.parametrize("fault", ["down", "hung"])
async def test_a_dead_or_hung_exporter_is_shown_as_absence_not_health(
    fault: str, prometheus: tuple[FakeExporter, PrometheusServer], tmp_path: Path
) -> None:
    exporter, prom = prometheus
    app = build_app(tmp_path / "exporter.jsonl", _planned(prom.url), INTERVAL_S)
    async with app.run_test(size=(200, 50)) as pilot:

        def live() -> bool:
            return all(status_line(app, n).startswith("● live") for n in (2, 4))

        await wait_until(pilot, live, "lag and tenant panes live", 15.0)
        assert "sources 3/3 ok" in _header(app)
        lag_rows = app.dashboard.pane(2).rows
        assert len(lag_rows) == 2

        if fault == "down":
            exporter.stop()
        else:
            exporter.set_fault(r"^/metrics", delay_s=60.0)

        def absent() -> bool:
            return all(status_line(app, n).startswith("✖ NO SERIES") for n in (2, 4))

        seen = await wait_until(
            pilot, absent, f"panes saying no series (now {status_line(app, 2)!r})", DETECT_S
        )
        line = status_line(app, 2)
        assert f"no series from job {JOB} since " in line and "exporter down?" in line, line
        # The last values stay on screen, dimmed; the header does not call them ok.
        assert app.dashboard.pane(2).rows.keys() == lag_rows.keys()
        assert len(app.dashboard.pane(4).rows) == 1
        assert app.dashboard.pane(2).has_class("-failed")
        assert app.dashboard.pane(2).table.styles.text_opacity < 1.0
        header = _header(app)
        assert "lag no series" in header and "quota no series" in header and " ok" not in header
        # Rules over those series stop firing: the alerts pane says alerts may be missing.
        alerts = app.dashboard.pane(1).status.text
        assert alerts == "◐ alerts may be missing: no series from lag, quota", alerts

        exporter.clear_faults()
        exporter.start()  # same port: a no-op when it only hung
        back = await wait_until(
            pilot, live, f"panes live again ({status_line(app, 2)!r})", RECOVER_S
        )
        print(f"exporter {fault}: no series shown after {seen:.1f} s, live {back:.1f} s after")
        assert "sources 3/3 ok" in _header(app)
        await pilot.press("q")
    log = (tmp_path / "exporter.jsonl").read_text(encoding="utf-8")
    assert '"kind":"absent"' in log.replace(" ", "")


async def test_a_cockpit_started_while_the_exporter_is_down_says_so(
    prometheus: tuple[FakeExporter, PrometheusServer], tmp_path: Path
) -> None:
    exporter, prom = prometheus
    await asyncio.sleep(2 * SCRAPE_S)  # the series exist in Prometheus' recent history
    exporter.stop()
    await asyncio.sleep(2 * SCRAPE_S)  # ...and are stale now
    app = build_app(tmp_path / "late.jsonl", _planned(prom.url), INTERVAL_S)
    try:
        async with app.run_test(size=(200, 50)) as pilot:

            def absent() -> bool:
                return all(status_line(app, n).startswith("✖ NO SERIES") for n in (2, 4))

            await wait_until(pilot, absent, f"no series ({status_line(app, 2)!r})", DETECT_S)
            line = status_line(app, 2)
            # Never seen: no "since", but the job is named from the last hour's series.
            assert f"no series from job {JOB}: exporter down?" in line, line
            assert "ok" not in _header(app).split("│")[-1]
            exporter.start()
            await wait_until(
                pilot,
                lambda: status_line(app, 2).startswith("● live"),
                f"live once the exporter is back ({status_line(app, 2)!r})",
                RECOVER_S,
            )
            await pilot.press("q")
    finally:
        exporter.start()
