"""Measure how large observation lines get and how fast the reader and verify handle them.

Run: PYTHONPATH=. python bench/line_limit.py
Prints, per line size, the bytes per alert and the time to decode + hash one line (what the
live tail does on the UI thread for another writer's line, and what verify does per line).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from cockpit.log.codec import body_of, decode_line, encode, line_hash
from cockpit.log.events import ZERO_HASH


def alert(i: int) -> dict[str, object]:
    """An Alertmanager alert as the source normalises it (realistic label set)."""
    labels = {
        "alertname": f"KafkaConsumerLagHigh{i % 40}",
        "severity": ("critical", "warning", "info")[i % 3],
        "namespace": f"kyc-prod-{i % 12}",
        "pod": f"kyc-consumer-{i:06d}-7d9f8b6c4d-x2k9p",
        "consumergroup": f"kyc-consumer-{i % 300}",
        "topic": f"kyc.cases.v{i % 7}",
        "instance": f"10.12.{i % 250}.{i % 200}:9308",
        "job": "kafka-exporter",
    }
    return {
        "key": f"{i:016x}",
        "name": labels["alertname"],
        "labels": labels,
        "annotations": {
            "summary": f"Consumer group kyc-consumer-{i % 300} lags on kyc.cases",
            "runbook_url": "https://runbooks.example.invalid/RB-004",
        },
        "state": "firing",
        "active_since": "2026-11-23T03:12:00Z",
        "value": None,
        "silenced": False,
        "inhibited": False,
        "generator_url": "http://prometheus:9090/graph?g0.expr=kafka_consumergroup_lag",
    }


def main() -> None:
    ts = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)
    print(f"{'alerts':>7} {'line MB':>8} {'B/alert':>8} {'decode+hash ms':>15} {'MB/s':>6}")
    for count in (100, 500, 1000, 1500, 3000, 6000, 15000):
        data = {"source": "alertmanager", "full": True, "items": [alert(i) for i in range(count)]}
        line = encode(2, ts, "alerts.observed", data, ZERO_HASH, None).line
        raw = line[:-1]
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            obj, _event = decode_line(raw)
            line_hash(body_of(obj), None)
            best = min(best, time.perf_counter() - started)
        size = len(line)
        print(
            f"{count:>7} {size / 1e6:>8.2f} {size / count:>8.0f} {best * 1000:>15.1f} "
            f"{size / best / 1e6:>6.0f}"
        )


if __name__ == "__main__":
    main()
