"""Turn the incident form into log events: a declaration, or one update per change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cockpit.clock import rfc3339
from cockpit.command.schemes import Scheme
from cockpit.domain.channel import channel_name, incident_id
from cockpit.domain.state import IncidentState
from cockpit.log.events import IncidentDeclared, IncidentUpdated, Payload


@dataclass(frozen=True, slots=True)
class IncidentForm:
    """What the operator entered in the incident dialog."""

    title: str
    severity: str
    services: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    security: bool = False


def split_names(text: str) -> tuple[str, ...]:
    """`a, b  c` -> ("a", "b", "c"): names typed in one field, duplicates dropped."""
    names = [n for n in text.replace(",", " ").split() if n]
    return tuple(dict.fromkeys(names))


def first_firing(state: IncidentState) -> datetime | None:
    """When the earliest alert still observed started firing (the default detection time)."""
    times = [r.fired_at for r in state.iter_alerts() if r.fired_at is not None]
    return min(times, default=None)


def current_form(state: IncidentState) -> IncidentForm | None:
    """The open incident as a form to edit; None when the dialog declares a new one."""
    found = state.incident
    if found is None or found.state != "open":
        return None
    return IncidentForm(found.title, found.severity, found.services, found.tenants, found.security)


def incident_events(
    form: IncidentForm, state: IncidentState, now: datetime, *, actor: str, scheme: Scheme
) -> list[Payload]:
    """Events for `form`: declare when no incident is open, else the changed fields.

    ValueError (one line) for an empty title or a severity outside the scheme.
    """
    title = " ".join(form.title.split())
    if not title:
        raise ValueError("the incident needs a title")
    severity = scheme.validate(form.severity)
    incident = state.incident
    if incident is None or incident.state != "open":
        detected = first_firing(state)
        return [
            IncidentDeclared(
                incident_id=incident_id(title, now),
                title=title,
                severity=severity,
                scheme=scheme.name,
                channel=channel_name(title, now),
                detected_at=rfc3339(detected) if detected else None,
                services=form.services,
                tenants=form.tenants,
                security=form.security,
                actor=actor,
            )
        ]
    wanted: dict[str, Any] = {
        "title": title,
        "severity": severity,
        "services": form.services,
        "tenants": form.tenants,
        "security": form.security,
    }
    changes = {k: _plain(v) for k, v in wanted.items() if getattr(incident, k) != v}
    return [IncidentUpdated(changes, actor=actor)] if changes else []


def _plain(value: object) -> Any:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else value
