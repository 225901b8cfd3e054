"""Events API v2 of the PagerDuty fake: trigger, acknowledge and resolve by dedup key."""

from __future__ import annotations

import uuid
from typing import Any

from cockpit.sim.httpfake import ApiError
from cockpit.sim.pd_state import PagerDutyState

SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")


def invalid_event(*errors: str) -> ApiError:
    """The Events API's 400 answer."""
    return ApiError(400, "Event object is invalid", details={"errors": list(errors)})


def enqueue(state: PagerDutyState, event: Any) -> str:
    """Apply one event; returns the dedup key the API answers with."""
    if not isinstance(event, dict):
        raise invalid_event("the body must be a JSON object")
    routing_key = event.get("routing_key")
    service = next((s for s in state.services.values() if s.routing_key == routing_key), None)
    if not isinstance(routing_key, str) or len(routing_key) != 32 or service is None:
        raise invalid_event("'routing_key' is missing, not 32 characters or not an integration key")
    action = event.get("event_action")
    if action not in ACTIONS:
        raise invalid_event(f"'event_action' must be one of {', '.join(ACTIONS)}")
    dedup_key = event.get("dedup_key")
    if dedup_key is not None and (not isinstance(dedup_key, str) or not 0 < len(dedup_key) <= 255):
        raise invalid_event("'dedup_key' must be a string of 1 to 255 characters")
    if action != "trigger":
        if dedup_key is None:
            raise invalid_event(f"'dedup_key' is required to {action}")
        _follow_up(state, service.id, dedup_key, action)
        return dedup_key
    payload = event.get("payload")
    errors = _payload_errors(payload)
    if errors:
        raise invalid_event(*errors)
    assert isinstance(payload, dict)
    key = dedup_key or uuid.uuid4().hex
    with state.lock:
        for inc in state.incidents.values():
            if (
                inc.service.id == service.id
                and inc.incident_key == key
                and inc.status != "resolved"
            ):
                inc.alerts += 1  # deduplicated into the open incident
                return key
        urgency = "high" if payload["severity"] in ("critical", "error") else "low"
        state.open_incident(service, str(payload["summary"])[:1024], key, urgency)
    return key


def _payload_errors(payload: Any) -> list[str]:
    if not isinstance(payload, dict):
        return ["'payload' is required for a trigger event"]
    errors = []
    for name in ("summary", "source"):
        if not isinstance(payload.get(name), str) or not payload[name].strip():
            errors.append(f"'payload.{name}' is missing or blank")
    if payload.get("severity") not in SEVERITIES:
        errors.append(f"'payload.severity' must be one of {', '.join(SEVERITIES)}")
    return errors


def _follow_up(state: PagerDutyState, service_id: str, key: str, action: str) -> None:
    # Events for an unknown or closed dedup key are accepted and dropped, as upstream does.
    with state.lock:
        for inc in state.incidents.values():
            if (
                inc.service.id == service_id
                and inc.incident_key == key
                and inc.status != "resolved"
            ):
                if action == "resolve" or inc.status == "triggered":
                    state.set_status(
                        inc, "acknowledged" if action == "acknowledge" else "resolved", None
                    )
                return
