"""The demo's story: RB-004's rollback of kyc-svc (2.14.0 -> 2.13.4) stops the session leak,
as the typed kill of the leaked sessions does; a restart of the same release does not."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from cockpit.clock import FrozenClock
from cockpit.demo_setup import demo_targets
from cockpit.runbook.exec.base import seconds
from cockpit.runbook.exec.dispatch import execute_plan, plan_step
from cockpit.runbook.params import bind_params, source_keys
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks
from cockpit.sim.demo import DemoPlatform

T0 = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)


def _leaked(platform: DemoPlatform) -> int:
    return platform.platform.connections(platform.elapsed())["kyc", "idle in transaction"]


def _run(platform: DemoPlatform, runbook_id: str, step_id: str) -> str:
    found = {r.id: r for r in load_runbooks(default_runbook_dirs()).runbooks}
    runbook = found[runbook_id]
    step = runbook.step(step_id)
    assert step is not None
    bound = bind_params(runbook, source_keys(labels={"service": "kyc-svc"},
                                             operator={"service": "kyc-svc"}))  # fmt: skip
    targets = demo_targets(platform.prometheus_url, platform.k8s_url, os.environ)
    plan = plan_step(step, bound.for_step(step), bound.sql_args(step), targets, None)
    result = execute_plan(plan, targets, seconds(step.timeout))
    assert result.outcome == "ok", result.summary
    return plan.what


def test_rollback_of_the_leaky_release_stops_the_leak() -> None:
    clock = FrozenClock(T0)
    with DemoPlatform(clock, with_k8s=True) as platform:
        clock.set(T0 + timedelta(seconds=150))
        before = _leaked(platform)
        assert before > 50
        what = _run(platform, "RB-004", "rollback")
        assert "- image registry.local/kyc-svc:2.14.0" in what
        assert "+ image registry.local/kyc-svc:2.13.4" in what
        assert platform.platform.leak_cut_at is not None
        clock.set(T0 + timedelta(seconds=160))
        assert _leaked(platform) < 10 < before


def test_a_restart_of_the_same_release_leaks_on() -> None:
    clock = FrozenClock(T0)
    with DemoPlatform(clock, with_k8s=True) as platform:
        clock.set(T0 + timedelta(seconds=150))
        _run(platform, "RB-001", "pool-restart")
        assert platform.platform.leak_cut_at is None
        clock.set(T0 + timedelta(seconds=160))
        assert _leaked(platform) > 50
