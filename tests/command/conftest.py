"""Fixtures for incident command: the PagerDuty fake over TLS and a loopback status webhook."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pd_support import PD_TOKEN, StatusWebhook, pd_config

from cockpit.clock import FrozenClock
from cockpit.command.pagerduty import PagerDutyCommand
from cockpit.sim.pagerduty_fake import PagerDutyFake


@pytest.fixture
def pd_fake() -> Iterator[PagerDutyFake]:
    """A seeded PagerDuty account (Wednesday afternoon, predictable rotation)."""
    fake = PagerDutyFake(
        token=PD_TOKEN, clock=FrozenClock(datetime(2025, 3, 12, 14, 30, tzinfo=UTC))
    )
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def pd_command(pd_fake: PagerDutyFake) -> PagerDutyCommand:
    """The command client with a recording sleep (no real waiting in tests)."""
    waits: list[float] = []
    return PagerDutyCommand(pd_config(pd_fake), actor="ana", sleep=waits.append)


@pytest.fixture
def webhook() -> Iterator[StatusWebhook]:
    """A loopback status webhook."""
    server = StatusWebhook()
    server.start()
    yield server
    server.stop()
