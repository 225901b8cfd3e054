"""Another process damages the shared log under the live cockpit: it keeps going and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
