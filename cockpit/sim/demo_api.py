"""The demo's Prometheus: HTTP API v1 (instant and range queries, alerts) over the model."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs

from cockpit.clock import parse_rfc3339, rfc3339
from cockpit.sim.alerting import AlertEngine
from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request

if TYPE_CHECKING:
    from cockpit.sim.metrics import Store

MAX_POINTS = 11_000
"""Prometheus refuses range queries with more points per series than this; so do we."""
BUILD_INFO = {
    "version": "2.45.0+cockpit-demo",
    "revision": "demo",
    "branch": "demo",
    "buildUser": "cockpit",
    "buildDate": "20250101-00:00:00",
    "goVersion": "go1.21",
}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


class Timebase(Protocol):
    """Maps wall time onto scenario time and back (implemented by DemoPlatform)."""

    def now(self) -> datetime:
        """Current wall time from the injected clock."""
        ...

    def scenario_time(self, when: datetime) -> float:
        """Scenario seconds at wall time `when`."""
        ...

    def wall_time(self, scenario_s: float) -> datetime:
        """Wall time of a scenario instant."""
        ...

    def store(self, scenario_s: float) -> Store:
        """Every series at scenario time `scenario_s`."""
        ...


def success(data: Any) -> Reply:
    """A Prometheus API success envelope."""
    return Reply.json(200, {"status": "success", "data": data})


def params(request: Request) -> dict[str, str]:
    """Query-string and form parameters (POST bodies), last value wins."""
    merged = {k: v[-1] for k, v in request.query.items() if v}
    if request.method == "POST" and request.body:
        form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        merged.update({k: v[-1] for k, v in form.items() if v})
    return merged


def parse_time(text: str, what: str) -> datetime:
    """A Prometheus time parameter: unix seconds or RFC 3339."""
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        return parse_rfc3339(text)
    except ValueError:
        raise ApiError(
            400, f'invalid parameter "{what}": cannot parse {text!r} to a valid timestamp'
        ) from None


def parse_step(text: str) -> float:
    """A step in seconds, given as a float or a Prometheus duration (15s, 1m)."""
    try:
        value = float(text)
    except ValueError:
        match = _DURATION.match(text)
        if match is None:
            raise ApiError(400, f'invalid parameter "step": cannot parse {text!r}') from None
        value = float(match.group(1)) * _UNITS[match.group(2)]
    if not value > 0 or not math.isfinite(value):
        raise ApiError(400, 'invalid parameter "step": zero or negative query resolution step')
    return value


class PrometheusDemo(FakeServer):
    """Serves /api/v1/query, /api/v1/query_range, /api/v1/alerts and the health endpoints."""

    def __init__(self, timebase: Timebase, alerts: AlertEngine, *, port: int = 0) -> None:
        super().__init__(port=port)
        self.timebase = timebase
        self.alerts = alerts

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Errors in the API's envelope; 400 is bad_data as in Prometheus."""
        kind = {400: "bad_data", 404: "not_found", 422: "execution"}.get(error.status, "internal")
        body = {"status": "error", "errorType": kind, "error": error.message}
        return Reply.json(error.status, body, error.headers)

    def route(self, request: Request) -> Reply:
        """Dispatch by path; only GET (and POST for queries) are accepted."""
        path = request.path.rstrip("/") or "/"
        if path in ("/-/ready", "/-/healthy"):
            word = "Ready" if path == "/-/ready" else "Healthy"
            return Reply(200, f"Prometheus Server is {word}.\n".encode(), "text/plain")
        if request.method not in ("GET", "POST"):
            raise ApiError(405, f"method {request.method} not allowed")
        if path == "/api/v1/query":
            return self._query(params(request))
        if path == "/api/v1/query_range":
            return self._query_range(params(request))
        if path == "/api/v1/alerts":
            return success({"alerts": self._alerts()})
        if path == "/api/v1/status/buildinfo":
            return success(BUILD_INFO)
        if path == "/api/v1/label/__name__/values":
            now = self.timebase.scenario_time(self.timebase.now())
            return success(sorted(self.timebase.store(now)))
        raise ApiError(404, f"no such endpoint: {path}")

    def _query(self, args: dict[str, str]) -> Reply:
        from cockpit.sim.promql_mini import PromQLError, evaluate

        query = args.get("query")
        if not query:
            raise ApiError(400, 'invalid parameter "query": no query given')
        when = parse_time(args["time"], "time") if "time" in args else self.timebase.now()
        store = self.timebase.store(self.timebase.scenario_time(when))
        try:
            result = evaluate(query, store)
        except PromQLError as exc:
            raise ApiError(400, str(exc)) from None
        return success(result.to_data(round(when.timestamp(), 3)))

    def _query_range(self, args: dict[str, str]) -> Reply:
        # Imported on first query, not on the demo's start-up path.
        from cockpit.sim.promql_mini import PromQLError, evaluate, format_value

        for name in ("query", "start", "end", "step"):
            if not args.get(name):
                raise ApiError(400, f'invalid parameter "{name}": missing')
        start, end = parse_time(args["start"], "start"), parse_time(args["end"], "end")
        step = parse_step(args["step"])
        span = (end - start).total_seconds()
        if span < 0:
            raise ApiError(400, 'invalid parameter "end": end timestamp must not be before start')
        if span / step >= MAX_POINTS:
            raise ApiError(400, "exceeded maximum resolution of 11,000 points per timeseries")
        series: dict[tuple[tuple[str, str], ...], list[list[Any]]] = {}
        for i in range(int(span / step) + 1):
            ts = start.timestamp() + i * step
            at = self.timebase.scenario_time(datetime.fromtimestamp(ts, tz=UTC))
            try:
                result = evaluate(args["query"], self.timebase.store(at))
            except PromQLError as exc:
                raise ApiError(400, str(exc)) from None
            if result.scalar is not None:
                series.setdefault((), []).append([round(ts, 3), format_value(result.scalar)])
            for s in result.vector:
                key = tuple(sorted(s.labels.items()))
                series.setdefault(key, []).append([round(ts, 3), format_value(s.value)])
        matrix = [{"metric": dict(k), "values": v} for k, v in sorted(series.items())]
        return success({"resultType": "matrix", "result": matrix})

    def _alerts(self) -> list[dict[str, Any]]:
        t = self.timebase.scenario_time(self.timebase.now())
        return [
            {
                "labels": dict(a.labels),
                "annotations": dict(a.annotations),
                "state": a.state,
                "activeAt": rfc3339(self.timebase.wall_time(a.active_at)),
                "value": f"{a.value:e}",
            }
            for a in self.alerts.evaluate(t)
        ]
