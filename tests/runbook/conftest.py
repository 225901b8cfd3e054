"""Fixtures for the step executors: the forbidden test runbook and the Kubernetes fake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rb_support import K8S_TOKEN

from cockpit.clock import FrozenClock
from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook
from cockpit.runbook.parse import parse_runbook
from cockpit.sim.k8s_fake import K8sFake, make_k8s_client

FORBIDDEN_RB = Path(__file__).parent.parent / "data" / "runbooks" / "RB-990-forbidden.md"


@pytest.fixture(scope="session")
def forbidden_rb() -> Runbook:
    """A test runbook whose only step is `forbidden=`: shown, never run from the cockpit."""
    return parse_runbook(FORBIDDEN_RB)


@pytest.fixture
def k8s_fake() -> Iterator[K8sFake]:
    fake = K8sFake(token=K8S_TOKEN, clock=FrozenClock(datetime(2025, 3, 12, 14, 30, tzinfo=UTC)))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def k8s_targets(k8s_fake: K8sFake) -> StepTargets:
    return StepTargets(k8s_client=lambda: make_k8s_client(k8s_fake.url, token=K8S_TOKEN, timeout=5))
