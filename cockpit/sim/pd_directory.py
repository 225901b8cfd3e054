"""The PagerDuty fake's directory: people, services, the escalation policy and who is on call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cockpit.clock import Clock
from cockpit.sim import pd_seed as seed

_PLURALS = {
    "user": "users",
    "service": "services",
    "schedule": "schedules",
    "escalation_policy": "escalation_policies",
    "incident": "incidents",
}


def ts(when: datetime) -> str:
    """PagerDuty's timestamp form (UTC, seconds)."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class Directory:
    """Renders the seeded account's objects; `base_url` makes their `self` links."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.base_url = "https://api.pagerduty.invalid"

    def ref(self, kind: str, ident: str, summary: str) -> dict[str, Any]:
        """A `*_reference` object with self and html_url links."""
        plural = _PLURALS[kind]
        return {
            "id": ident,
            "type": f"{kind}_reference",
            "summary": summary,
            "self": f"{self.base_url}/{plural}/{ident}",
            "html_url": f"https://kyc-platform.pagerduty.invalid/{plural}/{ident}",
        }

    def user_ref(self, user: seed.SeedUser) -> dict[str, Any]:
        return self.ref("user", user.id, user.name)

    def user_json(self, user: seed.SeedUser) -> dict[str, Any]:
        """A full user object."""
        body = self.user_ref(user) | {"type": "user", "name": user.name, "email": user.email}
        return body | {"job_title": user.job_title, "role": "user", "time_zone": "Europe/Paris"}

    def policy_ref(self) -> dict[str, Any]:
        return self.ref("escalation_policy", seed.POLICY_ID, seed.POLICY_NAME)

    def schedule_ref(self) -> dict[str, Any]:
        return self.ref("schedule", seed.SCHEDULE_ID, seed.SCHEDULE_NAME)

    def service_json(self, service: seed.SeedService) -> dict[str, Any]:
        """A full service object."""
        return self.ref("service", service.id, service.name) | {
            "type": "service",
            "name": service.name,
            "description": service.description,
            "status": "active",
            "escalation_policy": self.policy_ref(),
            "created_at": "2023-01-09T09:00:00Z",
            "incident_urgency_rule": {"type": "constant", "urgency": "high"},
        }

    def policy_json(self) -> dict[str, Any]:
        """The escalation policy with its four levels."""
        rules = []
        for level, delay in enumerate(seed.LEVEL_DELAYS_MIN, start=1):
            targets = (
                [self.schedule_ref()]
                if level == 1
                else [self.user_ref(u) for u in seed.users_at_level(level)]
            )
            rules.append(
                {"id": f"PR{level}KYC00", "escalation_delay_in_minutes": delay, "targets": targets}
            )
        return self.policy_ref() | {
            "type": "escalation_policy",
            "name": seed.POLICY_NAME,
            "escalation_rules": rules,
            "services": [self.ref("service", s.id, s.name) for s in seed.SERVICES],
            "num_loops": 0,
            "on_call_handoff_notifications": "if_has_services",
        }

    # -- on-call ------------------------------------------------------------------------
    def shift(self, now: datetime) -> tuple[datetime, datetime, seed.SeedUser]:
        """The current L1 shift: weekly, handing over on Mondays 08:00 UTC."""
        monday = (now - timedelta(days=now.weekday())).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
        start = monday if now >= monday else monday - timedelta(days=7)
        rota = seed.users_at_level(1)
        return start, start + timedelta(days=7), rota[start.isocalendar().week % len(rota)]

    def targets(self, level: int) -> list[seed.SeedUser]:
        """Who an incident at `level` is assigned to right now."""
        if level == 1:
            return [self.shift(self.clock.now())[2]]
        return list(seed.users_at_level(level))

    def oncalls(self) -> list[dict[str, Any]]:
        """On-call entries of the policy, one per person and level."""
        start, end, l1 = self.shift(self.clock.now())
        entries = [
            {
                "escalation_policy": self.policy_ref(),
                "escalation_level": 1,
                "schedule": self.schedule_ref(),
                "user": self.user_ref(l1),
                "start": ts(start),
                "end": ts(end),
            }
        ]
        for level in range(2, len(seed.LEVEL_DELAYS_MIN) + 1):
            entries += [
                {
                    "escalation_policy": self.policy_ref(),
                    "escalation_level": level,
                    "schedule": None,
                    "user": self.user_ref(u),
                    "start": None,
                    "end": None,
                }
                for u in seed.users_at_level(level)
            ]
        return entries
