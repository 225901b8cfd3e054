"""Per-tenant quota figures (checks this month, licence limit, RNE balance) from Prometheus."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from cockpit.clock import monotonic
from cockpit.sources import _values as v
from cockpit.sources._http import HttpOptions
from cockpit.sources.absence import AUTO, JobWatch
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.promql import PrometheusApi, Sample, check_metric_name

DEFAULT_METRICS = {
    "checks_month": "tenant_checks_month",
    "license_limit": "license_limit",
    "rne_balance": "rne_subscription_balance",
}
"""Item field -> metric name. Each is reduced with `max by (tenant)` so HA exporter pairs
(two replicas exporting the same gauge) are not double counted."""


class PrometheusTenantQuota:
    """Three instant queries run in parallel under one deadline, merged per tenant.

    A tenant missing from one metric gets None for that field, not zero.
    """

    kind = "tenants"

    def __init__(
        self,
        url: str,
        *,
        name: str = "prometheus-tenants",
        metrics: Mapping[str, str] | None = None,
        job: str = AUTO,
        **http: Unpack[HttpOptions],
    ) -> None:
        self.name = name
        chosen = {**DEFAULT_METRICS, **(metrics or {})}
        unknown = set(chosen) - set(DEFAULT_METRICS)
        if unknown:
            raise SourceError("config", f"unknown tenant metric field(s): {sorted(unknown)}")
        self.queries = {f: f"max by (tenant) ({check_metric_name(m)})" for f, m in chosen.items()}
        self.watch = JobWatch(job, chosen["checks_month"], "[sources.jobs] tenants")
        self._api = PrometheusApi(url, **http)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._api.aclose()

    async def poll(self) -> Snapshot:
        """Run the three queries together; the first failure fails the poll."""
        started = monotonic()
        fields = list(self.queries)
        extra = self.watch.queries()
        answers = await self._api.query_all([*(self.queries[f] for f in fields), *extra])
        results, checks = answers[: len(fields)], answers[len(fields) :]
        notes = v.Notes()
        rows: dict[str, dict[str, Any]] = {}
        for field, (samples, warnings) in zip(fields, results, strict=True):
            notes.extend(warnings)
            _merge(rows, field, samples, notes)
        series = sum(len(samples) for samples, _ in results)
        self.watch.judge(series, [samples for samples, _ in checks], notes)
        await self.watch.recall(self._api, series, notes)
        items = [rows[t] for t in sorted(rows)]
        return v.snapshot(self.name, self.kind, items, started, notes)


def _merge(
    rows: dict[str, dict[str, Any]], field: str, samples: list[Sample], notes: v.Notes
) -> None:
    for sample in samples:
        tenant = sample.labels.get("tenant", "")
        if not tenant:
            notes.add(f"{field}: series without a tenant label ignored")
            continue
        row = rows.get(tenant)
        if row is None:
            row = rows[tenant] = {"key": tenant, "tenant": tenant}
            row.update(dict.fromkeys(DEFAULT_METRICS))
        row[field] = v.count(v.number(sample.value, notes, field))
