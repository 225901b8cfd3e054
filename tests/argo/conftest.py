"""Fixtures for the Argo CD tests: the loopback fake, a real incident log, shipped runbooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argo_support import T0, LogBox

from cockpit.clock import FrozenClock, SystemClock
from cockpit.log.store import IncidentLog
from cockpit.runbook.model import Runbook
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks
from cockpit.sim.argocd_fake import ArgoCdFake, seed_demo


@pytest.fixture
def argo() -> Iterator[ArgoCdFake]:
    fake = ArgoCdFake(token="argo-test-token-1234", clock=FrozenClock(T0))
    seed_demo(fake.state)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def logbox(tmp_path: Path) -> Iterator[LogBox]:
    log, _report = IncidentLog.open(tmp_path / "incident.jsonl", clock=SystemClock())
    box = LogBox(log)
    box.pump()
    yield box
    log.close()


@pytest.fixture(scope="session")
def runbooks() -> dict[str, Runbook]:
    found = load_runbooks(default_runbook_dirs())
    assert not found.refused, found.problems
    return {r.id: r for r in found.runbooks}
