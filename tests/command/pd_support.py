"""PagerDuty fake settings and a loopback status webhook shared by the command tests."""

from __future__ import annotations

from cockpit.command.pagerduty import PdConfig
from cockpit.sim.httpfake import FakeServer, Reply, Request
from cockpit.sim.pagerduty_fake import PagerDutyFake

PD_TOKEN = "pd-command-token"
ON_CALL_EMAIL = "nadia.berrada@kyc-platform.example"
POLICY = "PEPKYC01"


class StatusWebhook(FakeServer):
    """A status page's incoming webhook: accepts JSON posts on /hook."""

    def route(self, request: Request) -> Reply:
        return Reply.json(202, {"accepted": True})


def pd_config(fake: PagerDutyFake, **overrides: object) -> PdConfig:
    """Config pointing at the fake, as the L1 engineer."""
    values: dict[str, object] = {
        "api_url": fake.url,
        "token": PD_TOKEN,
        "events_url": fake.events_url,
        "routing_key": fake.routing_key("ocr"),
        "from_email": ON_CALL_EMAIL,
        "service_ids": ("PSOCR001",),
        "escalation_policy_id": POLICY,
        "timeout_s": 2.0,
        "verify": fake.client_ssl_context(),
    }
    values.update(overrides)
    return PdConfig(**values)  # type: ignore[arg-type]
