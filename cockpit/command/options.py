"""What the app needs to run incident command: the policy, PagerDuty and the status page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cockpit.command.policy import DEFAULT_POLICY, CommandPolicy

if TYPE_CHECKING:  # the PagerDuty module is imported when an action first needs it
    from cockpit.command.pagerduty import PdConfig


@dataclass(frozen=True, slots=True)
class CommandOptions:
    """Built by the launcher from settings; the defaults run without any outside system."""

    policy: CommandPolicy = DEFAULT_POLICY
    pagerduty: PdConfig | None = None
    """None: PagerDuty actions are offered as "not configured"."""
    webhook_url: str | None = None
    """None: status updates are copy-only."""
    statuspage_private: bool = False
    statuspage_timeout_s: float = 5.0
    leak_terms: tuple[str, ...] = field(default_factory=tuple)
    """Extra internal names for the leak guard (config), besides what the state knows."""
