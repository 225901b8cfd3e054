"""Helpers for the runbook executor tests: a real log with its fold, binding, a runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cockpit.domain.fold import Folder
from cockpit.domain.state import IncidentState
from cockpit.log.events import Event, Payload
from cockpit.log.store import IncidentLog
from cockpit.runbook.exec.base import Operator, StepTargets
from cockpit.runbook.exec.runner import Runner
from cockpit.runbook.model import Runbook
from cockpit.runbook.params import BoundParams, bind_params, source_keys

OPERATOR = Operator("nadia", "bastion-1", "192.0.2.10")


@dataclass
class LogBox:
    """A real hash-chained log and the fold of what it holds."""

    log: IncidentLog
    folder: Folder = field(default_factory=Folder)
    events: list[Event] = field(default_factory=list)

    def append(self, payload: Payload) -> Event:
        event = self.log.append(payload)
        self.pump()
        return event

    def pump(self) -> None:
        new = self.log.poll()
        self.events.extend(new)
        self.folder.apply_all(new)

    @property
    def state(self) -> IncidentState:
        return self.folder.state

    def types(self) -> list[str]:
        return [e.type for e in self.events if e.type.startswith(("step.", "mitigation."))]


def bind(runbook: Runbook, labels: dict[str, str] | None = None, **typed: str) -> BoundParams:
    """Parameters as the screen binds them: alert labels, the incident, typed values."""
    return bind_params(
        runbook,
        source_keys(
            labels=labels, incident={"detected_at": "2025-01-02T03:04:05Z"}, operator=typed
        ),
    )


def runner(runbook: Runbook, box: LogBox, targets: StepTargets, **kw: Any) -> Runner:
    return Runner(runbook, append=box.append, targets=targets, operator=OPERATOR,
                  read_only=kw.pop("read_only", False), **kw)  # fmt: skip
