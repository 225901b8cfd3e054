"""Kafka consumer lag per (group, topic), read from Prometheus with one instant query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from cockpit.clock import Clock, monotonic
from cockpit.sources import _values as v
from cockpit.sources.base import Snapshot
from cockpit.sources.promql import PrometheusApi, check_metric_name


class PrometheusKafkaLag:
    """Total lag per consumer group and topic (partitions summed).

    kafka-exporter calls the group label `consumergroup`, other exporters `group`; grouping
    by both costs nothing (the absent one is empty) and accepts either.
    """

    kind = "kafka"

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        bearer_token: str | None = None,
        verify_tls: bool = True,
        ca_file: str | None = None,
        timeout_s: float = 5.0,
        name: str = "prometheus-kafka",
        metric: str = "kafka_consumer_lag",
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self.query = f"sum by (consumergroup, group, topic) ({check_metric_name(metric)})"
        self._api = PrometheusApi(
            url,
            headers=headers,
            bearer_token=bearer_token,
            verify_tls=verify_tls,
            ca_file=ca_file,
            timeout_s=timeout_s,
            transport=transport,
            clock=clock,
        )

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._api.aclose()

    async def poll(self) -> Snapshot:
        """Run the lag query once, within the deadline."""
        started = monotonic()
        samples, warnings = await self._api.query(self.query)
        notes = v.Notes()
        notes.extend(warnings)
        lags: dict[tuple[str, str], int | None] = {}
        for sample in samples:
            group = sample.labels.get("consumergroup") or sample.labels.get("group", "")
            topic = sample.labels.get("topic", "")
            lag = v.count(v.number(sample.value, notes, "consumer lag"))
            where = (group, topic)
            if where in lags:
                # Both label spellings present for one group: add the two partial sums.
                before = lags[where]
                lag = None if before is None or lag is None else before + lag
            lags[where] = lag
        items: list[dict[str, Any]] = [
            {
                "key": f"{group}/{topic}",
                "group": group,
                "topic": topic,
                "partition": None,
                "lag": lag,
            }
            for (group, topic), lag in sorted(lags.items())
        ]
        return v.snapshot(self.name, self.kind, items, started, notes)
