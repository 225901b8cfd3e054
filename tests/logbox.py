"""A real hash-chained incident log and the fold of what it holds, for step-run tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cockpit.domain.fold import Folder
from cockpit.domain.state import IncidentState
from cockpit.log.events import Event, Payload
from cockpit.log.store import IncidentLog


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

    def append_all(self, payloads: Iterable[Payload]) -> None:
        for payload in payloads:
            self.append(payload)

    def pump(self) -> None:
        new = self.log.poll()
        self.events.extend(new)
        self.folder.apply_all(new)

    @property
    def state(self) -> IncidentState:
        return self.folder.state

    def types(self) -> list[str]:
        return [e.type for e in self.events if e.type.startswith(("step.", "mitigation."))]
