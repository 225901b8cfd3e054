"""A 15,000-alert Alertmanager answer through `cockpit record`: within the line limit,
verified, and replayed whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakeapi import FaultyApi

from cockpit.clock import FrozenClock
from cockpit.domain.fold import Folder
from cockpit.log.codec import MAX_LINE_BYTES
from cockpit.log.player import Player
from cockpit.log.verify import verify

ALERTS = 15_000


def am_alert(i: int) -> dict[str, Any]:
    return {
        "labels": {
            "alertname": f"KafkaConsumerLagHigh{i % 40}",
            "severity": "critical",
            "namespace": f"kyc-prod-{i % 12}",
            "pod": f"kyc-consumer-{i:06d}-7d9f8b6c4d-x2k9p",
            "instance": f"10.12.{i % 250}.{i % 200}:9308",
        },
        "annotations": {"summary": f"Consumer group kyc-consumer-{i % 300} lags on kyc.cases"},
        "fingerprint": f"{i:016x}",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        "startsAt": "2026-03-01T02:50:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=kafka_consumergroup_lag",
    }


@pytest.fixture
def am() -> Iterator[FaultyApi]:
    api = FaultyApi()
    api.alerts = [am_alert(i) for i in range(ALERTS)]
    api.start()
    yield api
    api.stop()


def test_15000_alerts_recorded_verified_and_replayed(am: FaultyApi, tmp_path: Path) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text(
        f'[alertmanager]\nurl = "{am.url}"\ntimeout_seconds = 20\n\n[ui]\nrefresh_seconds = 2\n'
    )
    path = tmp_path / "big.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "COCKPIT_LOG_KEY"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cockpit", "record", "--config", str(config), "--log", str(path)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd="/tmp",
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if path.exists() and b'"parts":' in path.read_bytes()[-MAX_LINE_BYTES:]:
                break
            time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    sizes = [len(line) for line in path.read_bytes().splitlines(keepends=True)]
    assert max(sizes) <= MAX_LINE_BYTES and sum(sizes) > ALERTS * 400
    report = verify(path, None)
    assert report.ok and "sealed by log.closed" in report.summary, report.summary
    player = Player(path, Folder, clock=FrozenClock(datetime.now(UTC)))
    player.seek(datetime.now(UTC) + timedelta(hours=1))
    assert player.error is None
    state = player.fold.state  # type: ignore[attr-defined]
    assert len(state.alerts["alertmanager"]) == ALERTS
