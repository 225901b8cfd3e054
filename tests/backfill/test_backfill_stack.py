"""`cockpit backfill` against the real Prometheus of the test stack."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from stack.stack import Stack

from cockpit.app import AppOptions, CockpitApp
from cockpit.cli import main as cli_main
from cockpit.clock import FrozenClock, rfc3339
from cockpit.export.run import export_markdown
from cockpit.export.source import read_log
from cockpit.export.window import WindowRequest
from cockpit.log.verify import verify
from cockpit.screens.header import HeaderInfo
from cockpit.screens.widgets import VirtualTable
from cockpit.startup import replay

pytestmark = pytest.mark.servers

LAG = 20_000


def write_config(path: Path, prometheus_url: str) -> Path:
    path.write_text(
        f'[prometheus]\nurl = "{prometheus_url}"\ntimeout_seconds = 5\n', encoding="utf-8"
    )
    return path


def wait_for(probe: Any, what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def firing(prometheus: str, name: str) -> bool:
    alerts = httpx.get(f"{prometheus}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
    return any(a["labels"]["alertname"] == name and a["state"] == "firing" for a in alerts)


async def alerts_pane_keys(log: Path, at: datetime) -> list[str]:
    """What the alerts pane of a replay shows once it sits at `at`."""
    clock = FrozenClock(at)
    started = replay(str(log), clock, speed=1.0, at=rfc3339(at))
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=started.permissions
    )
    app = CockpitApp(started.session, options, clock=clock)
    async with app.run_test(size=(160, 40)) as pilot:
        keys: list[str] = []
        for _ in range(100):
            await pilot.pause(0.05)
            keys = list(app.dashboard.query_one("#pane-1").query_one(VirtualTable).keys())
            if keys:
                break
        return keys


def test_backfilled_window_folds_to_the_alert_the_lag_and_the_quota(
    tmp_path: Path, stack: Stack, fresh_scenario: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    prom = stack.prometheus.url
    started = datetime.now(UTC) - timedelta(seconds=3)
    fresh_scenario.set_gauge(
        "kafka_consumer_lag", LAG, consumergroup="kyc-consumer", topic="kyc.cases", partition="1"
    )
    fresh_scenario.set_gauge("rne_subscription_balance", 120, tenant="tunis-fintech")
    fresh_scenario.set_gauge("tenant_checks_month", 9_900, tenant="tunis-fintech")
    fresh_scenario.set_gauge("license_limit", 10_000, tenant="tunis-fintech")
    wait_for(lambda: firing(prom, "KafkaConsumerLagHigh"), "the lag alert to fire")
    time.sleep(2)  # a couple of evaluations with it firing
    ended = datetime.now(UTC)
    config = write_config(tmp_path / "cockpit.toml", prom)
    log = tmp_path / "night.jsonl"
    args = ["backfill", "--config", str(config), "--from", rfc3339(started)]
    args += ["--to", rfc3339(ended), "--step", "1s", "-o", str(log)]
    assert cli_main(args) == 0, capsys.readouterr().err
    assert f"events written to {log}" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*partial"))

    report = verify(log, None)
    assert report.ok and report.warnings == (), report.warnings
    header = json.loads(log.read_text(encoding="utf-8").splitlines()[0])["data"]
    assert header["mode"] == "backfill" and header["source_url"] == prom
    assert (header["window_from"], header["window_to"]) == (rfc3339(started), rfc3339(ended))

    folded = read_log(log)
    state = folded.state
    assert folded.warning is None and state.closed and state.close_reason == "backfill"
    assert state.header is not None and state.header.mode == "backfill"
    assert {s.kind for s in state.sources.values()} == {"alerts", "kafka", "tenants", "postgres"}
    alerts = {a.item["name"]: a for a in state.iter_alerts()}
    lag_alert = alerts["KafkaConsumerLagHigh"]
    assert lag_alert.item["state"] == "firing" and lag_alert.fired_at is not None
    assert started <= lag_alert.fired_at <= ended
    assert lag_alert.item["active_since"] is not None  # from ALERTS_FOR_STATE
    assert lag_alert.item["labels"]["consumergroup"] == "kyc-consumer"
    totals = state.kafka["prometheus-kafka"].totals
    assert totals[("kyc-consumer", "kyc.cases")].lag == LAG
    quota = state.tenants["prometheus-tenants"]["tunis-fintech"]
    assert (quota["rne_balance"], quota["checks_month"], quota["license_limit"]) == (
        120,
        9_900,
        10_000,
    )
    assert state.postgres["postgres-exporter"].snapshot.get("max_connections", 0) > 0
    # Events carry the sample times, not the time the backfill ran.
    assert state.last_ts is not None and state.last_ts <= ended

    # It replays in the same screens: the alert is in the alerts pane.
    shown = asyncio.run(alerts_pane_keys(log, state.last_ts))
    assert any(k.endswith(lag_alert.key) for k in shown), shown

    # The backfilled log exports as a post-mortem of its window.
    document = export_markdown(
        log,
        window=WindowRequest(rfc3339(started), rfc3339(ended), ended, "Lag on KYC cases", "SEV-2"),
    )
    assert document.window is not None and document.window.end == ended
    assert "- KafkaConsumerLagHigh" in document.markdown
    assert "- Peak consumer lag: 20 000 messages (kyc-consumer / kyc.cases)" in document.markdown


def test_a_window_without_data_writes_nothing(
    tmp_path: Path, stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "cockpit.toml", stack.prometheus.url)
    log = tmp_path / "old.jsonl"
    args = ["backfill", "--config", str(config), "--from", "2020-01-01T00:00:00Z"]
    args += ["--to", "2020-01-01T01:00:00Z", "-o", str(log)]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert "has no alert, lag, quota or connection data" in err and "retention" in err
    assert list(tmp_path.iterdir()) == [tmp_path / "cockpit.toml"]
