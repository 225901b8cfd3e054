"""Incident-command policy: clock budgets, role names and ladder targets (config or defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cockpit.command.calendar import WEEKENDS_OFF, BusinessCalendar
from cockpit.command.schemes import SEV, Scheme

MINUTE_S = 60.0

ROLES = ("Incident Commander", "Communications Lead", "Scribe")
"""The three roles every incident gets (first seed)."""

LADDER_TARGETS: dict[int, tuple[str, ...]] = {
    1: ("On-call engineer",),
    2: ("Tech Lead", "Architect"),
    3: ("CTO",),
    4: ("CEO", "Compliance officer"),
}
"""Who each escalation level reaches (first seed); config may name real people."""


@dataclass(frozen=True, slots=True)
class CommandPolicy:
    """Every figure the command clocks use; the defaults are the seeds' numbers."""

    scheme: Scheme = SEV
    calendar: BusinessCalendar = WEEKENDS_OFF
    l1_no_progress_s: float = 15 * MINUTE_S
    """L1 -> L2 after this long without progress."""
    l2_no_remediation_s: float = 30 * MINUTE_S
    """L2 -> L3 after this long at L2 without remediation."""
    role_unclaimed_s: float = 10 * MINUTE_S
    status_silence_s: float = 30 * MINUTE_S
    client_notice_s: float = 24 * 60 * MINUTE_S
    """Security incident: affected clients told within this time of detection."""
    regulator_notice_s: float = 72 * 60 * MINUTE_S
    """Security incident: the regulator (GDPR art. 33) told within this time of detection."""
    roles: tuple[str, ...] = ROLES
    people: tuple[str, ...] = ()
    """Names offered when assigning a role (free text is accepted too)."""
    ladder_targets: dict[int, tuple[str, ...]] = field(default_factory=lambda: dict(LADDER_TARGETS))

    def targets(self, level: int) -> tuple[str, ...]:
        """Who level `level` reaches."""
        return self.ladder_targets.get(level, ())


DEFAULT_POLICY = CommandPolicy()
