"""Build the command policy and PagerDuty config from settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cockpit.command.calendar import BusinessCalendar
from cockpit.command.policy import MINUTE_S, CommandPolicy
from cockpit.command.schemes import scheme_named

if TYPE_CHECKING:
    from cockpit.command.pagerduty import PdConfig
    from cockpit.settings.model import Settings
    from cockpit.settings.tables import PagerDutySettings


def policy_from_settings(settings: Settings) -> CommandPolicy:
    """The command policy for the configured severity scheme."""
    inc = settings.incident
    return CommandPolicy(
        scheme=scheme_named(inc.severity_scheme),
        calendar=BusinessCalendar.of(inc.weekend, inc.holidays),
        l1_no_progress_s=inc.escalate_after_minutes * MINUTE_S,
        l2_no_remediation_s=inc.escalate_l3_after_minutes * MINUTE_S,
        role_unclaimed_s=inc.role_reminder_minutes * MINUTE_S,
        status_silence_s=inc.status_reminder_minutes * MINUTE_S,
        people=tuple(inc.people),
    )


def pd_config(settings: PagerDutySettings, environ: Mapping[str, str]) -> PdConfig:
    """A PdConfig with its secrets read; ConfigError names a missing variable or file."""
    from cockpit.command.pagerduty import PdConfig  # only when PagerDuty is configured
    from cockpit.settings.secrets import Secret, resolve_secret

    token = resolve_secret(
        settings.token_env, settings.token_file, environ=environ, key="pagerduty.token"
    )
    routing = resolve_secret(
        settings.routing_key_env,
        settings.routing_key_file,
        environ=environ,
        key="pagerduty.routing_key",
    )
    return PdConfig(
        api_url=settings.api_url,
        token=Secret(token) if token else None,
        events_url=settings.events_url,
        routing_key=Secret(routing) if routing else None,
        from_email=settings.from_email,
        service_ids=tuple(settings.service_ids),
        escalation_policy_id=settings.escalation_policy_id,
        timeout_s=settings.timeout_seconds,
    )
