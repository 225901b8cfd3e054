"""What every action reads: permissions, author, clock, state and the command options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cockpit.actions.outcome import Refused
from cockpit.command.mirror import NoteMirror
from cockpit.command.options import CommandOptions
from cockpit.command.pagerduty import PagerDutyCommand
from cockpit.domain.records import IncidentInfo
from cockpit.domain.state import IncidentState
from cockpit.permissions import Capability, Permissions

NO_INCIDENT = "declare an incident first (key i)"


@dataclass(frozen=True, slots=True)
class ActionContext:
    """The session as the actions see it; built once per session by `Actions`."""

    permissions: Permissions
    author: str
    options: CommandOptions
    state: Callable[[], IncidentState]
    now: Callable[[], datetime]
    log_path: str = ""
    mirror: NoteMirror = field(default_factory=NoteMirror)
    """The PagerDuty incident notes are copied to (one per session, set on the panel)."""
    pd: PagerDutyCommand | None = None
    """PagerDuty calls, None when `[pagerduty]` is not configured."""

    def refusal(self, capability: Capability) -> Refused | None:
        """A refusal when the session may not use `capability`, else None."""
        reason = self.permissions.refusal(capability)
        return Refused(reason) if reason is not None else None

    def open_incident(self) -> IncidentInfo | Refused:
        """The declared incident while it is open, or the refusal saying there is none."""
        incident = self.state().incident
        if incident is None or incident.state != "open":
            return Refused(NO_INCIDENT)
        return incident

    def command(self, *also: Capability) -> IncidentInfo | Refused:
        """The open incident when the session may command it, and use every capability in
        `also` (the check of most actions)."""
        for capability in (Capability.COMMAND, *also):
            refused = self.refusal(capability)
            if refused is not None:
                return refused
        return self.open_incident()

    def external(self) -> PagerDutyCommand | Refused:
        """PagerDuty, when it is configured and the session may act on outside systems."""
        refused = self.refusal(Capability.EXTERNAL)
        if refused is not None:
            return refused
        if self.pd is None:
            return Refused("PagerDuty is not configured ([pagerduty] in the config)")
        return self.pd
