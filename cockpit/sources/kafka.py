"""Kafka consumer lag per (group, topic), read from Prometheus with one instant query."""

from __future__ import annotations

from typing import Any, Unpack

from cockpit.clock import monotonic
from cockpit.sources import _values as v
from cockpit.sources._http import HttpOptions
from cockpit.sources.absence import AUTO, JobWatch
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
        name: str = "prometheus-kafka",
        metric: str = "kafka_consumer_lag",
        job: str = AUTO,
        **http: Unpack[HttpOptions],
    ) -> None:
        self.name = name
        self.query = f"sum by (consumergroup, group, topic) ({check_metric_name(metric)})"
        self.watch = JobWatch(job, metric, "[sources.jobs] kafka")
        self._api = PrometheusApi(url, **http)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._api.aclose()

    async def poll(self) -> Snapshot:
        """Run the lag query (and the job checks) once, within the deadline."""
        started = monotonic()
        answers = await self._api.query_all([self.query, *self.watch.queries()])
        notes = v.Notes()
        samples, warnings = answers[0]
        notes.extend(warnings)  # the job checks' own warnings would only repeat them
        self.watch.judge(len(samples), [a[0] for a in answers[1:]], notes)
        await self.watch.recall(self._api, len(samples), notes)
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
