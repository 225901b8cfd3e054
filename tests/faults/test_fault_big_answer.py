"""A 10 MB Alertmanager answer: refused over the cap with its size, keys keep answering,
memory stays bounded; under a higher cap it is decoded and normalised off the event loop."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from appkit import build_app, key_latency, status_line, wait_until

from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.wiring import PlannedSource

KEY_BUDGET_S = 0.100
"""DESIGN.md: keypress to screen <= 100 ms while a 10 MB answer is processed."""
RSS_BUDGET_MB = 150.0


def ten_megabytes_of_alerts() -> bytes:
    """14,000 realistic alerts (six labels, a summary, a description): 10.1 MB of JSON."""
    alerts = []
    for i in range(14_000):
        group = f"group-{i % 300}"
        alerts.append(
            {
                "labels": {
                    "alertname": f"KafkaLagHigh{i % 50}",
                    "severity": "warning",
                    "tenant": f"tenant-{i}",
                    "job": "kafka-exporter",
                    "instance": f"10.0.{i % 255}.{i % 7}:9308",
                    "consumergroup": group,
                },
                "annotations": {
                    "summary": f"Lag of {group} is high for tenant-{i}",
                    "description": "Consumer lag above 10000 messages for 5 minutes. " * 3,
                },
                "startsAt": "2026-11-30T10:00:00.000Z",
                "endsAt": "2026-11-30T13:00:00.000Z",
                "updatedAt": "2026-11-30T11:00:00.000Z",
                "fingerprint": f"{i:016x}",
                "generatorURL": f"http://prometheus:9090/graph?g0.expr=lag%7Bgroup%3D%22{group}",
                "receivers": [{"name": "pagerduty"}],
                "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
            }
        )
    return json.dumps(alerts).encode()


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A separate process serving the answer, so its memory and CPU are not ours."""
    root = tmp_path_factory.mktemp("big")
    body = ten_megabytes_of_alerts()
    (root / "api" / "v2").mkdir(parents=True)
    (root / "api" / "v2" / "alerts").write_bytes(body)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    proc = subprocess.Popen(
        [*argv, "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.head(f"{url}/api/v2/alerts", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url, len(body)
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"{field} not in /proc/self/status")


def reset_peak() -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs resets the peak RSS)."""
    Path("/proc/self/clear_refs").write_text("5")


class LoopWatch:
    """Measures the longest the event loop went without running a 10 ms ticker."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            self.worst = max(self.worst, now - last - 0.01)
            last = now

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def test_over_the_cap_it_says_the_size_and_keys_keep_answering(
    big_server: tuple[str, int], tmp_path: Path
) -> None:
    url, size = big_server
    assert 10 * 2**20 < size < 11 * 2**20
    source = AlertmanagerAlerts(url, timeout_s=5.0)  # the default cap: 8 MB
    app = build_app(tmp_path / "big.jsonl", [PlannedSource(source, 1.0)], 1.0)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_until(pilot, lambda: "limit" in status_line(app, 1), "size error", 15.0)
        line = status_line(app, 1)
        assert f"answer of {size / 2**20:.1f} MB from 127.0.0.1:" in line
        assert "is over the 8.0 MB limit" in line
        reset_peak()
        before = rss_mb()
        presses: list[float] = []
        with LoopWatch() as watch:
            began = time.monotonic()
            while time.monotonic() - began < 4.0:  # four more 10 MB answers arrive meanwhile
                presses.append(await key_latency(app))
                await asyncio.sleep(0.03)
        peak = rss_mb("VmHWM")
        worst = max(presses) * 1000
        stall = watch.worst * 1000
        print(
            f"keys: worst {worst:.0f} ms of {len(presses)}; stall {stall:.0f} ms; peak {peak:.0f}"
        )
        assert max(presses) <= KEY_BUDGET_S
        assert watch.worst <= KEY_BUDGET_S
        # The cap is held while reading: a refused answer costs at most the cap, not 10 MB+.
        assert peak - before < 16
        # RSS_BUDGET_MB is the cockpit process's budget. Inside the whole suite this process
        # also holds what earlier tests left, so only the growth is checked here; run alone
        # (`pytest -s tests/faults/test_fault_big_answer.py`) the peak is printed (99 MB).
        if before < RSS_BUDGET_MB - 50:
            assert peak < RSS_BUDGET_MB
        await pilot.press("q")


async def test_under_a_higher_cap_it_is_decoded_off_the_loop(big_server: tuple[str, int]) -> None:
    url, _size = big_server
    source = AlertmanagerAlerts(url, timeout_s=5.0, max_body_bytes=16 * 2**20)
    reset_peak()
    before = rss_mb()
    with LoopWatch() as watch:
        snap = await source.poll()
    await source.aclose()
    peak = rss_mb("VmHWM")
    print(f"poll: loop stall {watch.worst * 1000:.0f} ms; RSS {before:.0f} -> {peak:.0f} MB")
    assert len(snap.items) == 14_000
    assert watch.worst <= KEY_BUDGET_S
    assert peak - before < 100
