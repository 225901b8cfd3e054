"""A loopback Prometheus + Alertmanager look-alike that can be told to misbehave."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cockpit.sim.httpfake import FakeServer, Reply, Request

EMPTY_VECTOR = {"status": "success", "data": {"resultType": "vector", "result": []}}
ONE = {
    "status": "success",
    "data": {"resultType": "vector", "result": [{"metric": {}, "value": [0, "1"]}]},
}
CLOSE = {"Connection": "close"}
HUGE_BYTES = 21 * 1024 * 1024
"""Just over the sources' 20 MB answer cap."""


@dataclass(frozen=True, slots=True)
class Misbehaviour:
    """What the fake answers instead of a valid body (status faults use set_fault)."""

    name: str
    body: bytes
    content_type: str = "application/json"


HTML = Misbehaviour("html", b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
TRUNCATED = Misbehaviour("truncated", b'{"status":"success","data":{"resultType":"vec')


def huge() -> Misbehaviour:
    """A syntactically valid JSON answer that is too large to accept."""
    filler = b'{"status":"success","data":{"resultType":"vector","result":[],"pad":"'
    return Misbehaviour("huge", filler + b"x" * HUGE_BYTES + b'"}}')


class FaultyApi(FakeServer):
    """Answers the queries every HTTP source sends, with healthy empty data by default."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(port=port)
        self.misbehaviour: Misbehaviour | None = None
        self.alerts: list[dict[str, Any]] = []

    def dispatch(self, request: Request) -> Reply:
        """Every answer closes its connection, so a stopped server is really gone
        (a kept-alive handler thread would otherwise go on answering)."""
        reply = super().dispatch(request)
        return Reply(reply.status, reply.body, reply.content_type, {**reply.headers, **CLOSE})

    def route(self, request: Request) -> Reply:
        """Serve Alertmanager v2 alerts, Prometheus alerts and instant queries."""
        bad = self.misbehaviour
        if bad is not None:
            return Reply(200, bad.body, bad.content_type)
        if request.path == "/api/v2/alerts":
            return Reply(200, json.dumps(self.alerts).encode())
        if request.path == "/api/v1/alerts":
            return Reply.json(200, {"status": "success", "data": {"alerts": []}})
        if request.path == "/api/v1/query":
            query = request.param("query") or ""
            if "pg_up" in query or "max_connections" in query:
                return Reply.json(200, ONE)
            return Reply.json(200, EMPTY_VECTOR)
        return Reply.json(404, {"status": "error", "error": f"no route {request.path}"})
