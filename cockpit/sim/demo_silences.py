"""Silences of the demo's Alertmanager: the v2 create, list and expire endpoints, in memory."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cockpit.clock import Clock, parse_rfc3339, rfc3339
from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request

_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


class SilenceStore:
    """What Alertmanager keeps of a silence, and its state at a given time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}

    def create(self, body: Any, now: datetime) -> str:
        """POST /api/v2/silences: validate as Alertmanager does; the new id."""
        if not isinstance(body, dict):
            raise ApiError(400, "silence must be a JSON object")
        matchers = body.get("matchers")
        if not isinstance(matchers, list) or not matchers:
            raise ApiError(400, "silence invalid: at least one matcher required")
        for m in matchers:
            if not isinstance(m, dict) or not _NAME.fullmatch(str(m.get("name", ""))):
                raise ApiError(400, f"silence invalid: invalid label name in matcher {m!r}")
            if m.get("isRegex"):
                try:
                    re.compile(str(m.get("value", "")))
                except re.error as exc:
                    raise ApiError(400, f"silence invalid: invalid regex: {exc}") from None
        try:
            starts = parse_rfc3339(str(body.get("startsAt")))
            ends = parse_rfc3339(str(body.get("endsAt")))
        except ValueError:
            raise ApiError(400, "silence invalid: startsAt and endsAt must be RFC 3339") from None
        if ends < starts:
            raise ApiError(400, "silence invalid: end time must not be before start time")
        if ends < now:
            raise ApiError(400, "silence invalid: end time can't be in the past")
        if not str(body.get("createdBy", "")).strip() or not str(body.get("comment", "")).strip():
            raise ApiError(400, "silence invalid: createdBy and comment are required")
        silence_id = str(uuid.uuid4())
        item = {"id": silence_id, "matchers": [_matcher(m) for m in matchers],
                "startsAt": rfc3339(max(starts, now)), "endsAt": rfc3339(ends),
                "createdBy": str(body["createdBy"]), "comment": str(body["comment"]),
                "updatedAt": rfc3339(now)}  # fmt: skip
        with self._lock:
            self._items[silence_id] = item
        return silence_id

    def expire(self, silence_id: str, now: datetime) -> None:
        """DELETE /api/v2/silence/{id}: it ends now (an expired one stays listed)."""
        with self._lock:
            item = self._items.get(silence_id)
            if item is None:
                raise ApiError(404, f"silence {silence_id} not found")
            if _state(item, now) == "expired":
                raise ApiError(500, f"silence {silence_id} already expired")
            item["endsAt"] = item["updatedAt"] = rfc3339(now)

    def listing(self, now: datetime) -> list[dict[str, Any]]:
        """GET /api/v2/silences."""
        with self._lock:
            items = [dict(i) for i in self._items.values()]
        return [{**i, "status": {"state": _state(i, now)}} for i in items]

    def silencing(self, labels: Mapping[str, str], now: datetime) -> list[str]:
        """Ids of the active silences whose matchers all match `labels`."""
        with self._lock:
            items = list(self._items.values())
        return sorted(
            i["id"]
            for i in items
            if _state(i, now) == "active" and all(_hits(m, labels) for m in i["matchers"])
        )


def _matcher(m: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": str(m["name"]), "value": str(m.get("value", "")),
            "isRegex": bool(m.get("isRegex")), "isEqual": bool(m.get("isEqual", True))}  # fmt: skip


def _state(item: Mapping[str, Any], now: datetime) -> str:
    if parse_rfc3339(item["endsAt"]) <= now:
        return "expired"
    return "pending" if parse_rfc3339(item["startsAt"]) > now else "active"


def _hits(m: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    have, value = labels.get(m["name"], ""), str(m["value"])
    found = re.fullmatch(value, have) is not None if m["isRegex"] else have == value
    return found is bool(m["isEqual"])


class SilenceFake(FakeServer):
    """Only Alertmanager's v2 silence endpoints on loopback, on an injected clock (tests)."""

    def __init__(self, clock: Clock, *, port: int = 0) -> None:
        super().__init__(port=port)
        self.clock = clock
        self.store = SilenceStore()

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Alertmanager v2 errors: {code, message}."""
        return Reply.json(error.status, {"code": error.status, "message": error.message})

    def route(self, request: Request) -> Reply:
        """POST/GET /api/v2/silences, DELETE /api/v2/silence/{id}."""
        return silence_route(self.store, request, self.clock.now()) or _missing(request)


def silence_route(store: SilenceStore, request: Request, now: datetime) -> Reply | None:
    """The answer of a silence endpoint; None when `request` is for another endpoint."""
    path = request.path.rstrip("/")
    if path == "/api/v2/silences" and request.method == "POST":
        return Reply.json(200, {"silenceID": store.create(request.json(), now)})
    if path == "/api/v2/silences" and request.method == "GET":
        return Reply.json(200, store.listing(now))
    if path.startswith("/api/v2/silence/") and request.method == "DELETE":
        store.expire(path.rsplit("/", 1)[1], now)
        return Reply.json(200, {})
    return None


def _missing(request: Request) -> Reply:
    raise ApiError(404, f"no such endpoint: {request.method} {request.path}")
