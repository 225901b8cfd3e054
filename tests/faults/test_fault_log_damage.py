"""Another process damages the shared log under the live cockpit: it keeps going and says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from appkit import build_app, status_line, wait_until
from fakeapi import FaultyApi

from cockpit.log.reader import LogReader
from cockpit.log.verify import verify
from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.wiring import PlannedSource

INTERVAL_S = 0.5


@pytest.fixture
def servers() -> Iterator[tuple[FaultyApi, FaultyApi]]:
    am, prom = FaultyApi(), FaultyApi()
    am.start()
    prom.start()
    yield am, prom
    am.stop()
    prom.stop()


def lines(path: Path) -> list[dict[str, object]]:
    out = []
    for raw in path.read_bytes().splitlines():
        try:
            out.append(json.loads(raw))
        except ValueError:
            out.append({"type": "<foreign>"})
    return out


def polls_after_damage(path: Path, kind: str) -> int:
    rows = lines(path)
    at = next(
        i
        for i, row in enumerate(rows)
        if row.get("type") == "log.damaged" and row["data"]["kind"] == kind  # type: ignore[index]
    )
    return sum(
        1 for row in rows[at + 1 :] if row.get("type") in ("source.polled", "alerts.observed")
    )


async def test_foreign_line_and_truncation_under_the_live_app(
    servers: tuple[FaultyApi, FaultyApi], tmp_path: Path
) -> None:
    am, prom = servers
    path = tmp_path / "shared.jsonl"
    planned = [
        PlannedSource(AlertmanagerAlerts(am.url, timeout_s=1.0), INTERVAL_S),
        PlannedSource(PrometheusKafkaLag(prom.url, timeout_s=1.0), INTERVAL_S),
    ]
    app = build_app(path, planned, INTERVAL_S)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: status_line(app, 1).startswith("● live"), "live", 10.0)

        def notified(word: str) -> bool:
            return any(word in n.message for n in app._notifications)

        with path.open("ab") as out:
            out.write(b"echo appended this by mistake\n")
        await wait_until(pilot, lambda: notified("foreign"), "foreign line notified", 5.0)
        await wait_until(
            pilot, lambda: polls_after_damage(path, "foreign") >= 8, "polls after it", 8.0
        )
        data = path.read_bytes()
        cut = data.rstrip(b"\n").rsplit(b"\n", 3)[0] + b"\n"  # three whole lines removed
        path.write_bytes(cut)
        await wait_until(pilot, lambda: notified("truncated"), "truncation notified", 5.0)
        await wait_until(
            pilot, lambda: polls_after_damage(path, "truncated") >= 2, "polls after it", 5.0
        )
        assert app.is_running and status_line(app, 1).startswith("● live")
    damaged = [r.event for r in LogReader(path) if r.event.type == "log.damaged"]
    assert [e.data["kind"] for e in damaged] == ["foreign", "truncated"]
    assert all(e.data["segment"] for e in damaged)
    report = verify(path, None)
    assert report.status == 1
    assert "a new segment follows" in report.summary


def wait_for(check: Callable[[], bool], what: str, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {within_s:g} s")


def test_foreign_line_and_truncation_under_the_recorder(
    servers: tuple[FaultyApi, FaultyApi], tmp_path: Path
) -> None:
    am, _prom = servers
    config = tmp_path / "cockpit.toml"
    config.write_text(f'[alertmanager]\nurl = "{am.url}"\n\n[ui]\nrefresh_seconds = 0.5\n')
    path = tmp_path / "recorded.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "COCKPIT_LOG_KEY"}
    command = [sys.executable, "-m", "cockpit", "record", "--config", str(config)]
    proc = subprocess.Popen(
        [*command, "--log", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd="/tmp",
    )
    try:
        wait_for(lambda: path.exists() and path.read_bytes().count(b"\n") >= 4, "recording", 20)
        with path.open("ab") as out:
            out.write(b'{"seq": 1, "note": "not one of ours"}\n')
        wait_for(lambda: b'"kind":"foreign"' in path.read_bytes(), "foreign recorded", 10)
        wait_for(lambda: polls_after_damage(path, "foreign") >= 8, "polls after it", 10)
        data = path.read_bytes()
        path.write_bytes(data.rstrip(b"\n").rsplit(b"\n", 3)[0] + b"\n")
        wait_for(lambda: b'"kind":"truncated"' in path.read_bytes(), "truncation recorded", 10)
        wait_for(lambda: polls_after_damage(path, "truncated") >= 2, "polls after it", 10)
        assert proc.poll() is None  # still recording
        proc.send_signal(signal.SIGHUP)
        _out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "foreign" in err and "truncated" in err and "Traceback" not in err
    events = [r.event for r in LogReader(path)]
    assert [e.data["kind"] for e in events if e.type == "log.damaged"] == ["foreign", "truncated"]
    assert events[-1].type == "log.closed" and events[-1].data["reason"] == "sighup"
    report = verify(path, None)
    assert report.status == 1 and "a new segment follows" in report.summary
