"""Fallback alert source: the alerts Prometheus evaluates itself (GET /api/v1/alerts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from cockpit.clock import monotonic
from cockpit.sources import _values as v
from cockpit.sources._http import HttpOptions
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.promql import PrometheusApi, unwrap

_STATES = ("firing", "pending")


class PrometheusAlerts:
    """Polls Prometheus for firing and pending alerts when Alertmanager is unreachable.

    Prometheus gives no fingerprint, so the key is a hash of the sorted label set: the same
    alert keeps its key across polls and restarts.
    """

    kind = "alerts"

    def __init__(
        self,
        url: str,
        *,
        name: str = "prometheus-alerts",
        **http: Unpack[HttpOptions],
    ) -> None:
        self.name = name
        self._api = PrometheusApi(url, **http)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._api.aclose()

    async def poll(self) -> Snapshot:
        """Fetch the firing and pending alerts, within the deadline."""
        started = monotonic()
        items, notes = await self._api.http.get_json("api/v1/alerts", parse=parse_alerts)
        return v.snapshot(self.name, self.kind, items, started, notes)


def parse_alerts(body: Any) -> tuple[list[dict[str, Any]], v.Notes]:
    """The /api/v1/alerts answer as sorted items (pure: may run in a worker thread)."""
    data, warnings = unwrap(body)
    alerts = data.get("alerts") if isinstance(data, dict) else None
    if not isinstance(alerts, list):
        raise SourceError("parse", "alerts answer without an alerts list")
    notes = v.Notes()
    notes.extend(warnings)
    items: dict[str, dict[str, Any]] = {}
    for raw in alerts:
        item = _normalise(raw, notes)
        if item is None:
            notes.add("malformed alert ignored")
        elif item["state"] in _STATES:
            items[item["key"]] = item
    return sorted(items.values(), key=lambda i: (i["name"], i["key"])), notes


def _normalise(raw: object, notes: v.Notes) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    labels = v.labels(raw.get("labels"))
    if labels is None:
        return None
    return {
        "key": v.stable_key(labels),
        "name": labels.get("alertname", ""),
        "labels": labels,
        "annotations": v.texts(raw.get("annotations")),
        "state": v.label(raw.get("state", "")),
        "active_since": v.timestamp(raw.get("activeAt"), notes, "activeAt"),
        "value": v.number(raw.get("value"), notes, "alert value"),
        "silenced": False,
        "inhibited": False,
        "generator_url": "",
    }
