"""Range answers served to the real source classes one step at a time, as their polls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cockpit.backfill.fetch import Grid, Matrix
from cockpit.clock import monotonic, rfc3339
from cockpit.sources import _values as v
from cockpit.sources.absence import AUTO
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.prometheus_alerts import parse_alerts
from cockpit.sources.promql import PrometheusApi, Sample
from cockpit.sources.tenants import PrometheusTenantQuota

if TYPE_CHECKING:
    from cockpit.sources.base import Source

ALERTS, FOR_STATE = "ALERTS", "ALERTS_FOR_STATE"
ALERTS_SOURCE = "prometheus-alerts"
_NOT_ALERT_LABELS = frozenset({"__name__", "alertstate"})


class ReplayApi(PrometheusApi):
    """Answers instant queries from fetched range answers, at the step set by `at`."""

    def __init__(self, answers: Mapping[str, Matrix]) -> None:  # no HTTP client: no super()
        self.answers = answers
        self.second = 0
        """The step (unix second) the next queries are answered at."""

    async def aclose(self) -> None:
        """Nothing to close."""

    async def query(self, promql: str) -> tuple[list[Sample], list[str]]:
        """The samples of `promql` at the current step."""
        matrix = self.answers.get(promql)
        if matrix is None:
            raise SourceError("config", f"query not fetched for the backfill: {promql}")
        return list(matrix.get(self.second, ())), []

    async def query_all(self, queries: list[str]) -> list[tuple[list[Sample], list[str]]]:
        """Each query's samples at the current step."""
        return [await self.query(q) for q in queries]


@dataclass(frozen=True, slots=True)
class Plan:
    """The metric sources to replay and every query they and the alerts need."""

    sources: tuple[Source, ...]
    queries: tuple[str, ...]


async def plan(url: str, jobs: Mapping[str, str]) -> Plan:
    """The lag, quota and connection sources the panes use (their real classes), each job
    check kept only when the job is named (learning it needs live queries)."""

    def job(name: str) -> str:
        value = jobs.get(name, AUTO)
        return "" if value == AUTO else value

    kafka = PrometheusKafkaLag(url, job=job("kafka"))
    tenants = PrometheusTenantQuota(url, job=job("tenants"))
    postgres = ExporterConnections(url, job=job("postgres"))
    queries = [ALERTS, FOR_STATE, kafka.query, *kafka.watch.queries()]
    queries += [*tenants.queries.values(), *tenants.watch.queries()]
    queries += [*postgres.queries.values(), *postgres.watch.queries()]
    for source in (kafka, tenants, postgres):
        await source.aclose()  # their own HTTP clients are never used
    return Plan((kafka, tenants, postgres), tuple(dict.fromkeys(queries)))


def attach(plan: Plan, api: ReplayApi) -> None:
    """Point every planned source at the replayed answers."""
    for source in plan.sources:
        source._api = api  # type: ignore[attr-defined]


def alerts_at(answers: Mapping[str, Matrix], second: int) -> Snapshot:
    """The alerts at one step, as the Prometheus alert source would have listed them."""
    started = monotonic()
    since = {
        v.stable_key(_alert_labels(s.labels)): s.value for s in answers[FOR_STATE].get(second, ())
    }
    alerts: list[dict[str, Any]] = []
    for sample in answers[ALERTS].get(second, ()):
        labels = _alert_labels(sample.labels)
        active = since.get(v.stable_key(labels))
        alerts.append(
            {
                "labels": labels,
                "annotations": {},
                "state": sample.labels.get("alertstate", ""),
                "activeAt": _when(active),
                "value": None,
            }
        )
    items, notes = parse_alerts({"status": "success", "data": {"alerts": alerts}})
    return v.snapshot(ALERTS_SOURCE, "alerts", items, started, notes)


def _alert_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: val for k, val in labels.items() if k not in _NOT_ALERT_LABELS}


def _when(value: object) -> str | None:
    try:
        return rfc3339(Grid.at(round(float(str(value)))))
    except (TypeError, ValueError, OverflowError, OSError):
        return None
