"""A loopback fake of Loki's HTTP API (push, query_range, query), in Loki's answer format."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from cockpit.clock import Clock, SystemClock, parse_rfc3339
from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request
from cockpit.sim.loki_query import LogQuery, parse

Entry = tuple[Mapping[str, str], int, str]
"""One log line: its stream's labels, its time in Unix nanoseconds, the line."""
Source = Callable[[datetime], Iterable[Entry]]
"""Lines computed at query time (the demo's simulated services)."""
DEFAULT_LIMIT = 100
INSTANT_LOG_ERROR = (
    "log queries are not supported as an instant query type, please change your query to a "
    "range query type"
)


class LokiFake(FakeServer):
    """Stores pushed lines (and lines from `source`) and answers LogQL selectors and filters.

    Like Loki: an instant query of log lines is refused; `count_over_time(...[d])` answers a
    vector (instant) or a one-point matrix (range); errors are plain text with a 400.
    """

    def __init__(self, *, clock: Clock | None = None, source: Source | None = None,
                 port: int = 0) -> None:  # fmt: skip
        super().__init__(port=port)
        self.clock = clock or SystemClock()
        self.source = source
        self._store_lock = threading.Lock()
        self._entries: list[Entry] = []

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Loki answers errors as plain text."""
        return Reply(error.status, (error.message + "\n").encode(), "text/plain; charset=utf-8")

    def push(self, labels: Mapping[str, str], lines: Iterable[tuple[int, str]]) -> None:
        """Store lines as the push API would."""
        with self._store_lock:
            self._entries.extend((dict(labels), ts, line) for ts, line in lines)

    def route(self, request: Request) -> Reply:
        """/ready, POST /loki/api/v1/push, GET /loki/api/v1/query_range and /query."""
        path = request.path.rstrip("/")
        if path == "/ready":
            return Reply(200, b"ready\n", "text/plain")
        if path == "/loki/api/v1/push" and request.method == "POST":
            self._push(request.json())
            return Reply(204, b"", "text/plain")
        if request.method != "GET":
            raise ApiError(405, f"method {request.method} not allowed on {path}")
        if path in ("/loki/api/v1/query_range", "/loki/api/v1/query"):
            return Reply.json(200, self._query(request, path.endswith("_range")))
        raise ApiError(404, "404 page not found")

    def _push(self, body: Any) -> None:
        streams = body.get("streams") if isinstance(body, dict) else None
        if not isinstance(streams, list):
            raise ApiError(400, "push body needs a streams list")
        for s in streams:
            values = [(int(v[0]), str(v[1])) for v in s.get("values") or []]
            self.push({str(k): str(v) for k, v in (s.get("stream") or {}).items()}, values)

    def _query(self, request: Request, ranged: bool) -> Any:
        text = request.param("query") or ""
        query = parse(text)
        now = self.clock.now()
        end = _time(request.param("end" if ranged else "time"), now)
        start = _time(request.param("start"), None) if ranged else None
        if query.count_window_s is None and not ranged:
            raise ApiError(400, INSTANT_LOG_ERROR)
        if query.count_window_s is not None:
            start = end - query.count_window_s * 1_000_000_000
        elif start is None:
            start = end - 3600 * 1_000_000_000
        limit = int(request.param("limit") or DEFAULT_LIMIT)
        forward = request.param("direction") == "forward"
        hits = self._select(query, start, end, now)
        if query.count_window_s is not None:
            return _metric(hits, end, ranged)
        hits.sort(key=lambda e: e[1], reverse=not forward)
        return _streams(hits[:limit])

    def _select(self, query: LogQuery, start: int, end: int, now: datetime) -> list[Entry]:
        with self._store_lock:
            entries = list(self._entries)
        if self.source is not None:
            entries.extend(self.source(now))
        return [e for e in entries
                if start <= e[1] <= end and query.selects(e[0]) and query.keeps(e[2])]  # fmt: skip


def _time(value: str | None, default: datetime | None) -> int:
    if value is None:
        if default is None:
            raise ApiError(400, "missing time")
        return int(default.timestamp() * 1_000_000_000)
    if value.isdigit():
        return int(value) if len(value) > 12 else int(value) * 1_000_000_000
    try:
        return int(parse_rfc3339(value).timestamp() * 1_000_000_000)
    except ValueError:
        raise ApiError(400, f"invalid time {value!r}: use Unix nanoseconds or RFC 3339") from None


def _key(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def _streams(hits: list[Entry]) -> Any:
    grouped: dict[tuple[tuple[str, str], ...], list[list[str]]] = {}
    for labels, ts, line in hits:
        grouped.setdefault(_key(labels), []).append([str(ts), line])
    result = [{"stream": dict(k), "values": v} for k, v in grouped.items()]
    stats = {"summary": {"totalLinesProcessed": len(hits)}}
    data = {"resultType": "streams", "result": result, "stats": stats}
    return {"status": "success", "data": data}


def _metric(hits: list[Entry], end: int, ranged: bool) -> Any:
    counts: dict[tuple[tuple[str, str], ...], int] = {}
    for labels, _ts, _line in hits:
        counts[_key(labels)] = counts.get(_key(labels), 0) + 1
    at = end / 1e9
    if ranged:
        result: list[Any] = [
            {"metric": dict(k), "values": [[at, str(n)]]} for k, n in counts.items()
        ]
        kind = "matrix"
    else:
        result = [{"metric": dict(k), "value": [at, str(n)]} for k, n in counts.items()]
        kind = "vector"
    return {"status": "success", "data": {"resultType": kind, "result": result}}


def cluster_source(cluster: Any, every_s: float = 20.0) -> Source:
    """The demo's logs: every workload of the Kubernetes fake's cluster, one line every
    `every_s` seconds up to now, labelled as a Promtail/Alloy pipeline labels pod logs."""

    def source(now: datetime) -> list[Entry]:
        out: list[Entry] = []
        with cluster.lock:
            workloads = [(key, list(work.log_lines)) for key, work in cluster.workloads.items()]
        end = int(now.timestamp() * 1_000_000_000)
        step = int(every_s * 1_000_000_000)
        for (namespace, app), lines in workloads:
            labels = {"namespace": namespace, "app": app, "container": app}
            out.extend(
                (labels, end - (len(lines) - i) * step, line) for i, line in enumerate(lines)
            )
        return out

    return source
