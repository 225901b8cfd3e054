"""Fallback PostgreSQL connection figures read from postgres-exporter metrics in Prometheus."""

from __future__ import annotations

from typing import Any, Unpack

from cockpit.clock import monotonic
from cockpit.sources import _values as v
from cockpit.sources._http import HttpOptions
from cockpit.sources.absence import AUTO, JobWatch
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.promql import PrometheusApi, Sample, escape_label_value

NO_AGES = (
    "exporter fallback: session ages unknown (long-running and idle-in-transaction not counted)"
)
"""postgres-exporter 0.11 only exports counts per (datname, state) and the oldest transaction
per state, so the two per-session counters cannot be derived; the pane says so."""


class ExporterConnections:
    """Connections per state from `pg_stat_activity_count{datname, state}` (exporter 0.11).

    The exporter zero-fills every state for every database; zero states are dropped so the
    shape matches what the direct PostgreSQL source returns.
    """

    kind = "postgres"

    def __init__(
        self,
        url: str,
        *,
        name: str = "postgres-exporter",
        datname: str | None = None,
        instance: str | None = None,
        job: str = AUTO,
        **http: Unpack[HttpOptions],
    ) -> None:
        self.name = name
        server = f'instance="{escape_label_value(instance)}"' if instance else ""
        activity = ",".join(
            m for m in (server, f'datname="{escape_label_value(datname)}"' if datname else "") if m
        )
        self.queries = {
            "states": f"sum by (state) (pg_stat_activity_count{{{activity}}})",
            "max": f"max(pg_settings_max_connections{{{server}}})",
            "up": f"min(pg_up{{{server}}})",
        }
        self.watch = JobWatch(job, "pg_up", "[sources.jobs] postgres")
        self._api = PrometheusApi(url, **http)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._api.aclose()

    async def poll(self) -> Snapshot:
        """Run the three queries together under one deadline."""
        started = monotonic()
        answers = await self._api.query_all([*self.queries.values(), *self.watch.queries()])
        states, maxima, up = answers[:3]
        notes = v.Notes()
        for _, warnings in (states, maxima, up):
            notes.extend(warnings)
        self.watch.judge(len(up[0]), [samples for samples, _ in answers[3:]], notes)
        await self.watch.recall(self._api, len(up[0]), notes)
        up_value = _single(up[0], notes, "pg_up")
        if up_value is None:
            raise SourceError("parse", "no pg_up series: is postgres-exporter scraped?")
        if up_value < 1:
            raise SourceError(
                "connect", "postgres-exporter reports pg_up 0: PostgreSQL unreachable"
            )
        max_connections = _single(maxima[0], notes, "max_connections")
        if max_connections is None:
            raise SourceError("parse", "no pg_settings_max_connections series in Prometheus")
        by_state: dict[str, int] = {}
        for sample in states[0]:
            n = v.count(v.number(sample.value, notes, "connections"))
            if n:
                state = sample.labels.get("state") or "(unknown)"
                by_state[state] = by_state.get(state, 0) + n
        notes.add(NO_AGES)
        item: dict[str, Any] = {
            "max_connections": round(max_connections),
            "total": sum(by_state.values()),
            "by_state": dict(sorted(by_state.items())),
            "by_application": {},
            "long_running": 0,
            "idle_in_transaction_old": 0,
        }
        return v.snapshot(self.name, self.kind, [item], started, notes)


def _single(samples: list[Sample], notes: v.Notes, what: str) -> float | None:
    return v.number(samples[0].value, notes, what) if samples else None
