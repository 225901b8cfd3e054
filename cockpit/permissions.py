"""The one permission decision of a session: what the operator may do, from capabilities.

Computed once per session from the mode (live, demo, replay, drill), the `--read-only` flag,
the active environment (and whether it is read-only or production) and the operator's role.
Every operator action and every runbook step asks this value; nothing else decides.

Capabilities, from least to most dangerous:

* `record`: append human events to the log (notes, corrections). Refused only in a replay.
* `command`: change the incident (declare, update, acknowledge, assign roles, tick the
  checklist, resolve). Log-only, so allowed under `--read-only`; refused in a replay and for
  a viewer.
* `read_platform`: run a step that changes nothing (promql, logql, read-only SQL, k8s reads,
  `readonly=true` exec/http). Refused only in a replay.
* `write_platform`: run anything that may change the platform (mitigations, SQL with
  side-effect functions, exec/http not declared read-only). Refused in a replay, under
  `--read-only`, in a read-only environment and for a viewer.
* `external`: act on an outside system (page or acknowledge in PagerDuty, mirror notes,
  post a status update, create a silence). Refused like `write_platform`.

In the demo and in drills every target is simulated (`simulated` is True): steps and
outside systems are the simulated platform's, never a real cluster, database or PagerDuty.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    """How the cockpit was started."""

    LIVE = "live"
    DEMO = "demo"
    REPLAY = "replay"
    DRILL = "drill"


class Capability(StrEnum):
    """What an action needs (see the module docstring)."""

    RECORD = "record"
    COMMAND = "command"
    READ_PLATFORM = "read_platform"
    WRITE_PLATFORM = "write_platform"
    EXTERNAL = "external"


ROLES = ("responder", "viewer")
"""`[user] role` values; a viewer records notes and reads, nothing more."""


@dataclass(frozen=True, slots=True)
class Permissions:
    """The session's permission decision; build it with `Permissions.decide`."""

    mode: Mode
    read_only_flag: bool = False
    """`--read-only` on the command line."""
    environment: str = ""
    environment_read_only: bool = False
    production: bool = False
    role: str = "responder"

    @classmethod
    def decide(
        cls,
        mode: Mode | str,
        *,
        read_only: bool = False,
        environment: str = "",
        environment_read_only: bool = False,
        production: bool = False,
        role: str = "responder",
    ) -> Permissions:
        """The decision for a session; an unknown role counts as a viewer (fail closed)."""
        return cls(
            Mode(mode),
            read_only,
            environment,
            environment_read_only,
            production,
            role if role in ROLES else "viewer",
        )

    @property
    def simulated(self) -> bool:
        """True when every target is the simulated platform (demo, drill)."""
        return self.mode in (Mode.DEMO, Mode.DRILL)

    @property
    def read_only(self) -> bool:
        """True when nothing may change the platform or an outside system."""
        return self.refusal(Capability.WRITE_PLATFORM) is not None

    def refusal(self, capability: Capability) -> str | None:
        """Why `capability` is refused in this session, or None when it is allowed."""
        if self.mode is Mode.REPLAY:
            return "a replay is read-only: nothing can be added or run"
        if capability in (Capability.RECORD, Capability.READ_PLATFORM):
            return None
        if self.role == "viewer":
            return "your role is viewer: notes and diagnostics only"
        if capability is Capability.COMMAND:
            return None
        if self.read_only_flag:
            return "the cockpit was started with --read-only"
        if self.environment_read_only:
            return f"environment {self.environment or '?'} is read-only"
        return None

    def allows(self, capability: Capability) -> bool:
        """True when `capability` is allowed in this session."""
        return self.refusal(capability) is None

    def describe(self) -> str:
        """One line for the header and help: mode, environment and what is locked."""
        parts = [self.mode.value.upper()]
        if self.environment:
            parts.append(self.environment + (" (PROD)" if self.production else ""))
        if self.read_only:
            parts.append("read-only")
        if self.role == "viewer":
            parts.append("viewer")
        return " · ".join(parts)
