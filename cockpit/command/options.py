"""What the app needs to run incident command: the policy, PagerDuty and the status page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cockpit.command.policy import DEFAULT_POLICY, CommandPolicy
from cockpit.settings.secrets import Secret

if TYPE_CHECKING:  # the PagerDuty module is imported when an action first needs it
    from cockpit.command.pagerduty import PdConfig


@dataclass(frozen=True, slots=True)
class CommandOptions:
    """Built by the launcher from settings; the defaults run without any outside system."""

    policy: CommandPolicy = DEFAULT_POLICY
    pagerduty: PdConfig | None = None
    """None: PagerDuty actions are offered as "not configured"."""
    webhook_url: Secret | str | None = None
    """None: status updates are copy-only. A `Secret`: such URLs usually carry a token."""
    statuspage_private: bool = False
    statuspage_timeout_s: float = 5.0
    leak_terms: tuple[str, ...] = field(default_factory=tuple)
    """Extra internal names for the leak guard (config), besides what the state knows."""

    def __post_init__(self) -> None:
        if isinstance(self.webhook_url, str):  # a plain URL is wrapped: it must never print
            object.__setattr__(self, "webhook_url", Secret(self.webhook_url))
