"""In-memory PagerDuty account behind the fake: on-call, incidents, notes, log entries, events."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cockpit.clock import Clock, SystemClock
from cockpit.sim import pd_seed as seed
from cockpit.sim.httpfake import ApiError
from cockpit.sim.pd_directory import Directory, ts

_STATUSES = ("triggered", "acknowledged", "resolved")


def invalid(*errors: str) -> ApiError:
    """PagerDuty's 400 'Invalid Input Provided' error."""
    return ApiError(400, "Invalid Input Provided", details={"code": 2001, "errors": list(errors)})


@dataclass(slots=True)
class Incident:
    """Mutable server-side incident record; rendered to JSON on each read."""

    id: str
    number: int
    title: str
    service: seed.SeedService
    status: str
    urgency: str
    incident_key: str
    created_at: datetime
    level: int = 1
    assignees: list[seed.SeedUser] = field(default_factory=list)
    acks: list[tuple[datetime, seed.SeedUser | None]] = field(default_factory=list)
    changed_at: datetime | None = None
    changed_by: dict[str, Any] | None = None
    alerts: int = 1
    notes: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)


class PagerDutyState(Directory):
    """The account: people and policy from `pd_seed`, incidents that change over time."""

    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__(clock or SystemClock())
        self.lock = threading.RLock()
        self.incidents: dict[str, Incident] = {}
        self._serial = 0
        self.services = {s.id: s for s in seed.SERVICES}
        self.users = {u.id: u for u in seed.USERS}
        for item in seed.INCIDENTS:
            created = self.clock.now() - timedelta(minutes=item.minutes_ago)
            inc = self.open_incident(
                self.services[item.service_id], item.title, item.incident_key, item.urgency, created
            )
            if item.status == "acknowledged":
                self.set_status(inc, "acknowledged", inc.assignees[0])
            elif item.status == "resolved":
                self.set_status(inc, "resolved", inc.assignees[0])

    # -- incidents ----------------------------------------------------------------------
    def incident_json(self, inc: Incident) -> dict[str, Any]:
        """The incident as REST API v2 shows it."""
        acks = inc.acks if inc.status == "acknowledged" else []
        return self.ref("incident", inc.id, f"[#{inc.number}] {inc.title}") | {
            "type": "incident",
            "incident_number": inc.number,
            "title": inc.title,
            "description": inc.title,
            "status": inc.status,
            "urgency": inc.urgency,
            "incident_key": inc.incident_key,
            "created_at": ts(inc.created_at),
            "updated_at": ts(inc.changed_at or inc.created_at),
            "last_status_change_at": ts(inc.changed_at or inc.created_at),
            "last_status_change_by": inc.changed_by
            or self.ref("service", inc.service.id, inc.service.name),
            "resolved_at": ts(inc.changed_at)
            if inc.status == "resolved" and inc.changed_at
            else None,
            "service": self.ref("service", inc.service.id, inc.service.name),
            "escalation_policy": self.policy_ref(),
            "teams": [],
            "priority": None,
            "assignments": [
                {"at": ts(inc.changed_at or inc.created_at), "assignee": self.user_ref(u)}
                for u in inc.assignees
            ],
            "acknowledgements": [
                {
                    "at": ts(at),
                    "acknowledger": self.user_ref(u)
                    if u
                    else self.ref("service", inc.service.id, inc.service.name),
                }
                for at, u in acks
            ],
            "alert_counts": {
                "all": inc.alerts,
                "triggered": 0 if inc.status == "resolved" else inc.alerts,
                "resolved": inc.alerts if inc.status == "resolved" else 0,
            },
        }

    def incident(self, ident: str) -> Incident:
        """An incident by id, or PagerDuty's 404."""
        inc = self.incidents.get(ident)
        if inc is None:
            raise ApiError(404, "Not Found", details={"code": 2100})
        return inc

    def open_incident(
        self,
        service: seed.SeedService,
        title: str,
        key: str,
        urgency: str,
        created: datetime | None = None,
    ) -> Incident:
        """Create a triggered incident assigned to level 1."""
        with self.lock:
            self._serial += 1
            number = 100 + self._serial
            ident = "Q" + hashlib.sha256(f"{number}/{key}".encode()).hexdigest()[:12].upper()
            inc = Incident(
                ident,
                number,
                title,
                service,
                "triggered",
                urgency,
                key,
                created or self.clock.now(),
            )
            inc.assignees = self.targets(1)
            self.incidents[ident] = inc
            self.log(inc, "trigger_log_entry", None, f"Triggered through the API: {title}")
            return inc

    def set_status(self, inc: Incident, status: str, who: seed.SeedUser | None) -> None:
        """Acknowledge or resolve; resolving a resolved incident is an error, as upstream."""
        if status not in ("acknowledged", "resolved"):
            raise invalid(f"status must be acknowledged or resolved, not {status!r}")
        if inc.status == "resolved":
            raise invalid("Incident Already Resolved")
        now = self.clock.now()
        if status == "acknowledged":
            inc.acks.append((now, who))
        else:
            inc.assignees, inc.acks = [], []
        inc.status, inc.changed_at = status, now
        inc.changed_by = self.user_ref(who) if who else None
        verb = "acknowledge" if status == "acknowledged" else "resolve"
        self.log(inc, f"{verb}_log_entry", who, f"{verb.title()}d")

    def escalate(self, inc: Incident, level: int, who: seed.SeedUser | None) -> None:
        """Move the incident to `level`: reassigned to that level and triggered again."""
        top = len(seed.LEVEL_DELAYS_MIN)
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= top:
            raise invalid(f"escalation_level must be an integer from 1 to {top}")
        if inc.status == "resolved":
            raise invalid("Incident Already Resolved")
        inc.level, inc.assignees, inc.acks = level, self.targets(level), []
        inc.status, inc.changed_at = "triggered", self.clock.now()
        inc.changed_by = self.user_ref(who) if who else None
        self.log(inc, "escalate_log_entry", who, f"Escalated to level {level}")

    def log(self, inc: Incident, kind: str, who: seed.SeedUser | None, summary: str) -> None:
        """Append a log entry (notes are `annotate_log_entry`)."""
        agent = self.user_ref(who) if who else self.ref("service", inc.service.id, inc.service.name)
        ident = f"R{inc.number}{len(inc.log):04d}"
        inc.log.append(
            {
                "id": ident,
                "type": kind,
                "summary": summary,
                "created_at": ts(self.clock.now()),
                "agent": agent,
                "incident": self.ref("incident", inc.id, inc.title),
                "channel": {"type": "api"},
            }
        )
