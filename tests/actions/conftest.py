"""The PagerDuty loopback fake for the action tests (seeded; a frozen Wednesday afternoon)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from command.pd_support import PD_TOKEN

from cockpit.clock import FrozenClock
from cockpit.sim.pagerduty_fake import PagerDutyFake


@pytest.fixture
def pd_fake() -> Iterator[PagerDutyFake]:
    """A seeded PagerDuty account over TLS on loopback."""
    fake = PagerDutyFake(
        token=PD_TOKEN, clock=FrozenClock(datetime(2025, 3, 12, 14, 30, tzinfo=UTC))
    )
    fake.start()
    yield fake
    fake.stop()
