"""The demo's Alertmanager: API v2 alerts (what Prometheus would have sent it) and health."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cockpit.clock import rfc3339
from cockpit.sim.alerting import AlertEngine, DemoAlert
from cockpit.sim.demo_api import Timebase
from cockpit.sim.demo_silences import SilenceStore, silence_route
from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request

if TYPE_CHECKING:
    from cockpit.sim.promql_parse import Matcher

RESEND_S = 60.0
"""Prometheus re-sends firing alerts about every minute; endsAt is four resends ahead."""
_FNV_OFFSET, _FNV_PRIME, _MASK = 14695981039346656037, 1099511628211, (1 << 64) - 1
_SEPARATOR = 0xFF


def fingerprint(labels: Mapping[str, str]) -> str:
    """Alertmanager's fingerprint of a label set: FNV-1a 64 over sorted names and values."""
    h = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode("utf-8"):
                h = ((h ^ byte) * _FNV_PRIME) & _MASK
            h = ((h ^ _SEPARATOR) * _FNV_PRIME) & _MASK
    return f"{h:016x}"


def _ms(when: datetime) -> str:
    """Alertmanager writes times with millisecond precision."""
    return rfc3339(when)[:-4] + "Z"


def receiver(severity: str) -> str:
    """Routing of the seed platform: SEV-1/2 page the on-call, the rest go to chat."""
    return "pagerduty-oncall" if severity in ("SEV-1", "SEV-2") else "slack-incidents"


def _matchers(filters: list[str]) -> list[Matcher]:
    from cockpit.sim.promql_parse import PromQLError, Selector, parse

    out: list[Matcher] = []
    for text in filters:
        try:
            node = parse("{" + text + "}")
        except PromQLError as exc:
            raise ApiError(400, f"bad matcher format: {text!r}: {exc}") from None
        if not isinstance(node, Selector) or len(node.matchers) != 1:
            raise ApiError(400, f"bad matcher format: {text!r}")
        out.append(node.matchers[0])
    return out


def _matches(labels: Mapping[str, str], m: Matcher) -> bool:
    from cockpit.sim.promql_parse import compiled

    have = labels.get(m.name, "")
    if m.op in ("=", "!="):
        return (have == m.value) == (m.op == "=")
    return (compiled(m.value).fullmatch(have) is not None) == (m.op == "=~")


class AlertmanagerDemo(FakeServer):
    """Serves GET /api/v2/alerts (firing alerts only, as Prometheus sends only those) and the
    v2 silences: create, list, expire; silenced alerts show as `suppressed`."""

    def __init__(
        self, timebase: Timebase, alerts: AlertEngine, prometheus_url: str, *, port: int = 0
    ) -> None:
        super().__init__(port=port)
        self.timebase = timebase
        self.alerts = alerts
        self.prometheus_url = prometheus_url
        self.silences = SilenceStore()

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Alertmanager v2 errors: {code, message}."""
        return Reply.json(error.status, {"code": error.status, "message": error.message})

    def route(self, request: Request) -> Reply:
        """Alerts, status, silences, receivers and the health endpoints."""
        path = request.path.rstrip("/") or "/"
        if path in ("/-/ready", "/-/healthy"):
            return Reply(200, b"OK", "text/plain")
        silences = silence_route(self.silences, request, self.timebase.now())
        if silences is not None:
            return silences
        if request.method != "GET":
            raise ApiError(405, f"method {request.method} not allowed on {path}")
        if path == "/api/v2/alerts":
            return Reply.json(200, self._alerts(request))
        if path == "/api/v2/receivers":
            return Reply.json(200, [{"name": "pagerduty-oncall"}, {"name": "slack-incidents"}])
        if path == "/api/v2/status":
            return Reply.json(200, self._status())
        raise ApiError(404, f"no such endpoint: {path}")

    def _alerts(self, request: Request) -> list[dict[str, Any]]:
        active = request.param("active", "true") != "false"
        silenced = request.param("silenced", "true") != "false"
        matchers = _matchers(request.query.get("filter", []))
        now = self.timebase.now()
        alerts = self.alerts.evaluate(self.timebase.scenario_time(now))
        out: list[dict[str, Any]] = []
        for alert in alerts:
            # No inhibitions in the demo; a silenced alert is "suppressed", as in Alertmanager.
            if alert.state != "firing":
                continue
            by = self.silences.silencing(alert.labels, now)
            if (by and not silenced) or (not by and not active):
                continue
            if all(_matches(alert.labels, m) for m in matchers):
                out.append(self._render(alert, now, by))
        return out

    def _render(self, alert: DemoAlert, now: datetime, silenced_by: list[str]) -> dict[str, Any]:
        fired = self.timebase.wall_time(alert.fired_at or alert.active_at)
        resends = int(max(0.0, (now - fired).total_seconds()) // RESEND_S)
        updated = fired + timedelta(seconds=resends * RESEND_S)
        expr = quote(alert.expr, safe="")
        return {
            "labels": dict(alert.labels),
            "annotations": dict(alert.annotations),
            "startsAt": _ms(fired),
            "endsAt": _ms(updated + timedelta(seconds=4 * RESEND_S)),
            "updatedAt": _ms(updated),
            "fingerprint": fingerprint(alert.labels),
            "generatorURL": f"{self.prometheus_url}/graph?g0.expr={expr}&g0.tab=1",
            "receivers": [{"name": receiver(alert.labels.get("severity", ""))}],
            "status": {
                "state": "suppressed" if silenced_by else "active",
                "silencedBy": silenced_by,
                "inhibitedBy": [],
                "mutedBy": [],
            },
        }

    def _status(self) -> dict[str, Any]:
        return {
            "cluster": {"name": "cockpit-demo", "status": "disabled", "peers": []},
            "versionInfo": {"version": "0.26.0+cockpit-demo", "revision": "demo"},
            "config": {"original": "# the cockpit demo routes SEV-1/2 to pagerduty-oncall\n"},
            "uptime": _ms(self.timebase.wall_time(0.0)),
        }
