"""PagerDuty for incident command: on call, open incidents, ack, resolve, note, escalate,
trigger. Blocking calls through the real `pagerduty` package: run them off the UI thread.

Every call returns a PdOutcome carrying the ExternalActionRecorded event to append, so the
log says what was asked of PagerDuty and how it went. A 429 waits for `ratelimit-reset`
(or `Retry-After`) when that is short, and otherwise fails at once saying when to retry.
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cockpit.log.events import ExternalActionRecorded
from cockpit.sanitize import clean
from cockpit.settings.secrets import Secret

_ID = re.compile(r"^[A-Za-z0-9]{1,40}$")
OPEN = ["triggered", "acknowledged"]
_FIELDS = ("id", "title", "status", "incident_key")
"""What the panel shows of an incident; `incident_key` links it to ours (the page's dedup key)."""


@dataclass(frozen=True, slots=True)
class PdConfig:
    """Where PagerDuty is and the secrets, already resolved from their references."""

    api_url: str
    token: Secret | None
    """The REST API token; a `Secret` (prints `***`) from config load to the client call."""
    events_url: str = "https://events.pagerduty.com"
    routing_key: Secret | None = None
    from_email: str | None = None
    service_ids: tuple[str, ...] = ()
    escalation_policy_id: str | None = None
    timeout_s: float = 5.0
    verify: ssl.SSLContext | str | bool = True

    def __post_init__(self) -> None:
        # A plain string (tests, hand-made configs) is wrapped: it must never print either.
        for name in ("token", "routing_key"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Secret(value))


@dataclass(frozen=True, slots=True)
class OnCall:
    """Who is on call at one escalation level."""

    level: int
    name: str
    email: str = ""


@dataclass(frozen=True, slots=True)
class PdOutcome:
    """How a call went, its result, and the event recording it."""

    ok: bool
    message: str
    event: ExternalActionRecorded
    value: Any = None


@dataclass
class PagerDutyCommand:
    """The calls incident command makes; `sleep` is injectable so tests need not wait."""

    config: PdConfig
    actor: str = ""
    max_wait_s: float = 5.0
    """Longest rate-limit reset honoured by waiting; longer ones fail with the wait named."""
    sleep: Callable[[float], None] = time.sleep
    _rest: Any = field(default=None, repr=False)

    def on_call(self, policy_id: str | None = None) -> PdOutcome:
        """Who is on call per level of the escalation policy."""
        policy = policy_id or self.config.escalation_policy_id
        if not policy or not _ID.match(policy):
            return self._refuse("oncall", "set [pagerduty] escalation_policy_id to a policy id")
        params = {"escalation_policy_ids": [policy]}

        def call() -> list[OnCall]:
            rows = self.rest().list_all("/oncalls", params=params)
            found = {(int(r["escalation_level"]), _name(r.get("user"))) for r in rows}
            return [OnCall(level, name) for level, name in sorted(found)]

        return self._run("oncall", policy, call)

    def open_incidents(self) -> PdOutcome:
        """Triggered and acknowledged incidents of the configured services."""
        params: dict[str, Any] = {"statuses": OPEN}
        if self.config.service_ids:
            params["service_ids"] = list(self.config.service_ids)

        def call() -> list[dict[str, str]]:
            rows = self.rest().list_all("/incidents", params=params)
            return [{k: clean(str(r.get(k, "")), single_line=True) for k in _FIELDS} for r in rows]

        return self._run("list-incidents", ",".join(self.config.service_ids) or "all", call)

    def acknowledge(self, incident_id: str) -> PdOutcome:
        """Acknowledge incident `incident_id`."""
        return self._put(incident_id, "acknowledge", {"status": "acknowledged"})

    def resolve(self, incident_id: str) -> PdOutcome:
        """Resolve incident `incident_id`."""
        return self._put(incident_id, "resolve", {"status": "resolved"})

    def escalate(self, incident_id: str, level: int) -> PdOutcome:
        """Reassign incident `incident_id` to escalation level `level` (1..n)."""
        if not 1 <= level <= 9:
            return self._refuse("escalate", f"escalation level {level} is not between 1 and 9")
        return self._put(incident_id, "escalate", {"escalation_level": level}, f"L{level}")

    def note(self, incident_id: str, text: str) -> PdOutcome:
        """Add a note (scribe notes can be mirrored this way)."""
        if not _ID.match(incident_id):
            return self._refuse("note", f"{incident_id!r} is not a PagerDuty incident id")
        if not text.strip():
            return self._refuse("note", "a note needs some text")
        path = f"/incidents/{incident_id}/notes"
        return self._run(
            "note", incident_id, lambda: self.rest().rpost(path, json={"content": text})
        )

    def trigger(self, summary: str, source: str, severity: str = "critical",
                dedup_key: str | None = None) -> PdOutcome:  # fmt: skip
        """Open a PagerDuty incident through Events API v2; the value is the dedup key."""
        routing = self.config.routing_key
        if routing is None:
            return self._refuse("trigger", "set [pagerduty] routing_key_env to page")
        if not summary.strip():
            return self._refuse("trigger", "a page needs a summary")
        from cockpit.clients.pagerduty import make_pd_events_client

        def call() -> str:
            events = make_pd_events_client(
                self.config.events_url, routing.reveal(),
                timeout=self.config.timeout_s, verify=self.config.verify,
            )  # fmt: skip
            try:
                return str(events.trigger(summary, source, dedup_key=dedup_key, severity=severity))
            finally:
                events.close()

        return self._run("trigger", summary[:80], call)

    # --- plumbing ------------------------------------------------------------------------

    def rest(self) -> Any:
        """The REST client, made on first use (the package is heavy to import)."""
        if self._rest is None:
            from cockpit.clients.pagerduty import make_pd_rest_client

            if not self.config.token:
                raise _Refused("no PagerDuty token: set [pagerduty] token_env or token_file")
            self._rest = make_pd_rest_client(
                self.config.api_url, self.config.token.reveal(),
                from_email=self.config.from_email,
                timeout=self.config.timeout_s, verify=self.config.verify,
            )  # fmt: skip
        return self._rest

    def _put(self, incident_id: str, action: str, body: Mapping[str, Any],
             what: str = "") -> PdOutcome:  # fmt: skip
        if not _ID.match(incident_id):
            return self._refuse(action, f"{incident_id!r} is not a PagerDuty incident id")
        payload = {"type": "incident_reference", **body}
        path = f"/incidents/{incident_id}"
        detail = f"{incident_id} {what}".strip()
        return self._run(action, detail, lambda: self.rest().rput(path, json=payload))

    def _refuse(self, action: str, why: str) -> PdOutcome:
        return PdOutcome(False, why, self._event(action, "failed", why))

    def _event(self, action: str, outcome: str, detail: str) -> ExternalActionRecorded:
        return ExternalActionRecorded("pagerduty", action, outcome, detail, self.actor)

    def _run(self, action: str, detail: str, call: Callable[[], Any]) -> PdOutcome:
        from cockpit.command.pd_errors import describe_error, reset_after

        for attempt in (1, 2):
            try:
                value = call()
            except _Refused as err:
                return self._refuse(action, str(err))
            except Exception as err:
                wait = reset_after(err)
                if wait is not None and attempt == 1 and wait <= self.max_wait_s:
                    self.sleep(wait)
                    continue
                why = describe_error(err, wait)
                return PdOutcome(False, why, self._event(action, "failed", f"{detail}: {why}"))
            return PdOutcome(True, f"PagerDuty {action}: done", self._event(action, "ok", detail),
                             value)  # fmt: skip
        raise AssertionError("unreachable")


class _Refused(Exception):
    """A call that cannot be made with this configuration."""


def _name(user: object) -> str:
    if isinstance(user, Mapping):
        return clean(str(user.get("summary") or user.get("name") or "?"), single_line=True)
    return "?"
