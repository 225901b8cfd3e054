"""Alerts from Alertmanager's v2 API, silenced and inhibited ones included (flagged)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from cockpit.clock import monotonic
from cockpit.sources import _values as v
from cockpit.sources._http import HttpJson, HttpOptions, JsonArray
from cockpit.sources.base import Snapshot, SourceError

# Suppressed alerts still fire; the pane shows them dimmed through the silenced/inhibited flags.
_STATES = {"active": "firing", "suppressed": "firing", "unprocessed": "firing"}


class AlertmanagerAlerts:
    """Polls GET /api/v2/alerts; one item per alert, keyed by Alertmanager's fingerprint."""

    kind = "alerts"

    def __init__(
        self,
        url: str,
        *,
        name: str = "alertmanager",
        **http: Unpack[HttpOptions],
    ) -> None:
        self.name = name
        self._http = HttpJson(url, **http)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def poll(self) -> Snapshot:
        """Fetch every alert Alertmanager knows, within the deadline."""
        started = monotonic()
        params = {"active": "true", "silenced": "true", "inhibited": "true", "unprocessed": "true"}
        items, notes = await self._http.get_json("api/v2/alerts", params, parse_alerts)
        return v.snapshot(self.name, self.kind, items, started, notes)


def parse_alerts(body: Any) -> tuple[list[dict[str, Any]], v.Notes]:
    """The v2 alerts list as sorted items (pure: may run in a worker thread).

    `body` is a decoded list, or a JsonArray decoded element by element as it is walked.
    """
    if not isinstance(body, list | JsonArray):
        raise SourceError("parse", "Alertmanager answer is not a list of alerts")
    notes = v.Notes()
    items: dict[str, dict[str, Any]] = {}
    for raw in body:
        item = normalise_alert(raw, notes)
        if item is None:
            notes.add("malformed alert ignored")
        else:
            items[item["key"]] = item
    return sorted(items.values(), key=lambda i: (i["name"], i["key"])), notes


def normalise_alert(raw: object, notes: v.Notes) -> dict[str, Any] | None:
    """One gettableAlert as an AlertsObserved item; None when it is unusable."""
    if not isinstance(raw, Mapping):
        return None
    labels = v.labels(raw.get("labels"))
    fingerprint = raw.get("fingerprint")
    if labels is None:
        return None
    status = raw.get("status")
    status = status if isinstance(status, Mapping) else {}
    key = v.label(fingerprint) if isinstance(fingerprint, str) and fingerprint else ""
    raw_state = v.label(status.get("state", "active"))
    state = _STATES.get(raw_state)
    if state is None:
        notes.add(f"unknown Alertmanager state {raw_state[:40]!r} shown as firing")
        state = "firing"
    return {
        "key": key or v.stable_key(labels),
        "name": labels.get("alertname", ""),
        "labels": labels,
        "annotations": v.texts(raw.get("annotations")),
        "state": state,
        "active_since": v.timestamp(raw.get("startsAt"), notes, "startsAt"),
        "value": None,
        "silenced": _non_empty_list(status.get("silencedBy")),
        "inhibited": _non_empty_list(status.get("inhibitedBy")),
        "generator_url": v.label(raw.get("generatorURL") or ""),
    }


def _non_empty_list(value: object) -> bool:
    return isinstance(value, list) and len(value) > 0
