"""Fixtures for the Argo CD tests: the loopback fake (log and runbooks: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argo_support import T0

from cockpit.clock import FrozenClock
from cockpit.sim.argocd_fake import ArgoCdFake, seed_demo


@pytest.fixture
def argo() -> Iterator[ArgoCdFake]:
    fake = ArgoCdFake(token="argo-test-token-1234", clock=FrozenClock(T0))
    seed_demo(fake.state)
    fake.start()
    yield fake
    fake.stop()
