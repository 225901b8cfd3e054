"""A loopback fake of PagerDuty REST API v2 and Events API v2, served over https as upstream."""

from __future__ import annotations

import hmac
import re
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cockpit.clients.pagerduty import make_pd_events_client, make_pd_rest_client
from cockpit.clock import Clock
from cockpit.sim import pd_seed as seed
from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request
from cockpit.sim.pd_directory import ts
from cockpit.sim.pd_events import enqueue
from cockpit.sim.pd_state import PagerDutyState, invalid
from cockpit.sim.pd_tls import loopback_tls

__all__ = ["PagerDutyFake", "make_pd_events_client", "make_pd_rest_client"]

EVENTS_PREFIX = "/events"
_CODES = {400: 2001, 401: 2006, 403: 2010, 404: 2100, 429: 2020}
Handler = Callable[["PagerDutyFake", Request, str], Reply]


class PagerDutyFake(FakeServer):
    """REST at `url`, Events v2 at `events_url`; TLS signed by a loopback CA (see `ca_file`).

    The `pagerduty` clients refuse plain http, so clients must trust `client_ssl_context()`
    (or `ca_file`). REST calls need `Authorization: Token token=<token>`; writes need a
    `From` header naming a seeded user's email.
    """

    def __init__(
        self,
        *,
        token: str = "fake-pd-token",  # noqa: S107 - the fake's own loopback token
        clock: Clock | None = None,
        port: int = 0,
    ) -> None:
        self.tls = loopback_tls()
        super().__init__(port=port, tls=self.tls.server_context())
        self.token = token
        self.state = PagerDutyState(clock)

    def start(self) -> None:
        """Serve, and make `self` links point at this server."""
        super().start()
        self.state.base_url = self.url

    @property
    def events_url(self) -> str:
        """Base URL for EventsApiV2Client (it appends /v2/enqueue)."""
        return self.url + EVENTS_PREFIX

    @property
    def ca_file(self) -> Path:
        """PEM file of the CA that signed the fake's certificate."""
        return self.tls.ca_file

    def client_ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the fake."""
        return self.tls.client_context()

    @staticmethod
    def routing_key(service_name: str) -> str:
        """The Events API integration key of a seeded service (e.g. 'ocr')."""
        for service in seed.SERVICES:
            if service.name == service_name:
                return service.routing_key
        raise KeyError(f"no seeded PagerDuty service named {service_name!r}")

    def rate_limit(self, next_n: int = 1, reset_s: float = 1.0) -> None:
        """Answer the next `next_n` requests with 429 and PagerDuty's rate-limit headers."""
        reset = f"{reset_s:g}"
        headers = {
            "ratelimit-limit": "960",
            "ratelimit-remaining": "0",
            "ratelimit-reset": reset,
            "Retry-After": reset,
        }
        self.set_fault(".", status=429, times=next_n, headers=headers)

    # -- HTTP plumbing --------------------------------------------------------------------
    def authorize(self, request: Request) -> None:
        """REST needs the token (Token or Bearer form); the Events API uses routing keys."""
        if request.path.startswith(EVENTS_PREFIX + "/"):
            return
        given = request.headers.get("authorization", "")
        good = (f"Token token={self.token}", f"Bearer {self.token}")
        if not any(hmac.compare_digest(given.encode(), g.encode()) for g in good):
            raise ApiError(401, "Invalid Credentials")

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Events errors are {status, message, errors}; REST errors are {error: {...}}."""
        if request.path.startswith(EVENTS_PREFIX + "/"):
            label = "throttle event" if error.status == 429 else "invalid event"
            body: dict[str, Any] = {
                "status": label,
                "message": error.message,
                "errors": error.details.get("errors", [error.message]),
            }
        else:
            inner = {"message": error.message, "code": _CODES.get(error.status, 2000)}
            inner |= {k: v for k, v in error.details.items() if k in ("code", "errors")}
            body = {"error": inner}
        return Reply.json(error.status, body, error.headers)

    def route(self, request: Request) -> Reply:
        """Dispatch on method and path."""
        if request.method == "POST" and request.path == EVENTS_PREFIX + "/v2/enqueue":
            key = enqueue(self.state, request.json())
            return Reply.json(
                202, {"status": "success", "message": "Event processed", "dedup_key": key}
            )
        known = False
        for method, pattern, handler in _ROUTES:
            match = pattern.fullmatch(request.path.rstrip("/"))
            if match is not None:
                known = True
                if method == request.method:
                    with self.state.lock:
                        return handler(self, request, match.group("id") or "")
        raise ApiError(405 if known else 404, "Method Not Allowed" if known else "Not Found")

    # -- REST handlers ----------------------------------------------------------------------
    def _page(self, request: Request, wrapper: str, items: list[Any]) -> Reply:
        try:
            limit, offset = (
                int(request.param("limit", "25") or 25),
                int(request.param("offset", "0") or 0),
            )
        except ValueError:
            raise invalid("limit and offset must be integers") from None
        if not 1 <= limit <= 100 or offset < 0:
            raise invalid("limit must be 1-100 and offset >= 0")
        total = len(items) if request.param("total") == "true" else None
        return Reply.json(
            200,
            {
                wrapper: items[offset : offset + limit],
                "limit": limit,
                "offset": offset,
                "more": offset + limit < len(items),
                "total": total,
            },
        )

    def _requester(self, request: Request) -> seed.SeedUser:
        sender = request.headers.get("from", "").strip().lower()
        for user in self.state.users.values():
            if user.email == sender:
                return user
        raise invalid("A 'From' header with the email of a valid user is required")

    def _oncalls(self, request: Request, _: str) -> Reply:
        entries = self.state.oncalls()
        for name, path in (
            ("escalation_policy_ids", "escalation_policy"),
            ("user_ids", "user"),
            ("schedule_ids", "schedule"),
        ):
            wanted = _multi(request, name)
            if wanted:
                entries = [e for e in entries if (e[path] or {}).get("id") in wanted]
        return self._page(request, "oncalls", entries)

    def _incidents(self, request: Request, _: str) -> Reply:
        incidents = sorted(self.state.incidents.values(), key=lambda i: i.number)
        statuses, services = _multi(request, "statuses"), _multi(request, "service_ids")
        urgencies, key = _multi(request, "urgencies"), request.param("incident_key")
        picked = [
            self.state.incident_json(i)
            for i in incidents
            if (not statuses or i.status in statuses)
            and (not services or i.service.id in services)
            and (not urgencies or i.urgency in urgencies)
            and (key is None or i.incident_key == key)
        ]
        return self._page(request, "incidents", picked)

    def _incident(self, request: Request, ident: str) -> Reply:
        inc = self.state.incident(ident)
        if request.method == "PUT":
            who = self._requester(request)
            body = request.json()
            change = body.get("incident") if isinstance(body, dict) else None
            if not isinstance(change, dict) or change.get("type") not in (
                "incident",
                "incident_reference",
            ):
                raise invalid("body must be {'incident': {'type': 'incident_reference', ...}}")
            if "escalation_level" in change:
                self.state.escalate(inc, change["escalation_level"], who)
            if "status" in change:
                self.state.set_status(inc, change["status"], who)
        return Reply.json(200, {"incident": self.state.incident_json(inc)})

    def _notes(self, request: Request, ident: str) -> Reply:
        inc = self.state.incident(ident)
        if request.method == "GET":
            return Reply.json(200, {"notes": list(inc.notes)})
        who = self._requester(request)
        body = request.json()
        note = body.get("note") if isinstance(body, dict) else None
        content = note.get("content") if isinstance(note, dict) else None
        if not isinstance(content, str) or not content.strip() or len(content) > 25000:
            raise invalid("note.content must be a non-empty string of at most 25000 characters")
        entry = {
            "id": f"N{inc.number}{len(inc.notes):04d}",
            "user": self.state.user_ref(who),
            "content": content,
            "created_at": ts(self.state.clock.now()),
            "channel": {"summary": "The PagerDuty REST API"},
        }
        inc.notes.append(entry)
        self.state.log(inc, "annotate_log_entry", who, content)
        return Reply.json(201, {"note": entry})

    def _log_entries(self, request: Request, ident: str) -> Reply:
        return self._page(request, "log_entries", list(self.state.incident(ident).log))

    def _services(self, request: Request, ident: str) -> Reply:
        services = [s for s in seed.SERVICES if not ident or s.id == ident]
        query = (request.param("query") or "").lower()
        items = [self.state.service_json(s) for s in services if query in s.name.lower()]
        if ident:
            if not items:
                raise ApiError(404, "Not Found")
            return Reply.json(200, {"service": items[0]})
        return self._page(request, "services", items)

    def _users(self, request: Request, ident: str) -> Reply:
        query = (request.param("query") or "").lower()
        items = [
            self.state.user_json(u)
            for u in seed.USERS
            if (not ident or u.id == ident) and query in u.name.lower()
        ]
        if ident:
            if not items:
                raise ApiError(404, "Not Found")
            return Reply.json(200, {"user": items[0]})
        return self._page(request, "users", items)

    def _policies(self, request: Request, ident: str) -> Reply:
        if ident and ident != seed.POLICY_ID:
            raise ApiError(404, "Not Found")
        if ident:
            return Reply.json(200, {"escalation_policy": self.state.policy_json()})
        return self._page(request, "escalation_policies", [self.state.policy_json()])


def _multi(request: Request, name: str) -> set[str]:
    return set(request.query.get(name + "[]", []) + request.query.get(name, []))


def _r(method: str, path: str, handler: Handler) -> tuple[str, re.Pattern[str], Handler]:
    return method, re.compile(path.replace("{id}", r"(?P<id>[A-Za-z0-9]+)")), handler


_ROUTES = (
    _r("GET", "/oncalls(?P<id>)", PagerDutyFake._oncalls),
    _r("GET", "/incidents(?P<id>)", PagerDutyFake._incidents),
    _r("GET", "/incidents/{id}", PagerDutyFake._incident),
    _r("PUT", "/incidents/{id}", PagerDutyFake._incident),
    _r("GET", "/incidents/{id}/notes", PagerDutyFake._notes),
    _r("POST", "/incidents/{id}/notes", PagerDutyFake._notes),
    _r("GET", "/incidents/{id}/log_entries", PagerDutyFake._log_entries),
    _r("GET", "/services(?:/{id})?", PagerDutyFake._services),
    _r("GET", "/users(?:/{id})?", PagerDutyFake._users),
    _r("GET", "/escalation_policies(?:/{id})?", PagerDutyFake._policies),
)
