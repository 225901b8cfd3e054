"""A drill touches nothing real: built as `cockpit drill` builds it (embedded PostgreSQL
included), with fake programs first on PATH, a KUBECONFIG and PG* variables pointing at a
listening trap, every step of every shipped runbook runs through the drill's own targets, and
its PagerDuty is the loopback fake. No fake program runs and nothing connects to the trap."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from touch_trap import Trap, hostile_environ, run_step

from cockpit.clock import SystemClock
from cockpit.launch import build_drill, sample_log
from cockpit.permissions import Mode
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks
from cockpit.sim.demo_pg import available

Arm = Callable[[], None]


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Trap, Path, Arm]]:
    """The trap, the markers' directory, and what arms the environment (after the embedded
    server has started: its own start-up scripts need the real `sh`)."""
    box = Trap()
    markers, pg = hostile_environ(tmp_path, box.port)

    def arm() -> None:
        for key, value in pg.items():
            monkeypatch.setenv(key, value)

    yield box, markers, arm
    box.close()


async def test_every_step_of_a_drill_stays_on_the_simulated_platform(
    trap: tuple[Trap, Path, Arm], tmp_path: Path
) -> None:
    box, markers, arm = trap
    app, setup = build_drill(str(sample_log()), SystemClock(), speed=1.0, log_dir=tmp_path)
    try:
        await app.drill.start()  # what the app does after its first frame
        if setup.database is not None:  # the embedded server starts in the background
            assert setup.database.server.ready.wait(60)
        arm()
        assert app.options.permissions.mode is Mode.DRILL and app.options.permissions.simulated
        pd = app.options.command.pagerduty
        assert pd is not None and setup.pagerduty is not None and pd.api_url == setup.pagerduty.url
        targets = app.step_targets
        assert targets is not None and targets.toolbox is not None
        assert targets.where.exec_host == "simulated toolbox"
        loopback = "http://127.0.0.1:"
        assert targets.argocd is not None and targets.argocd.url.startswith(loopback)
        assert (targets.prometheus_url or "").startswith(loopback)
        found = load_runbooks(default_runbook_dirs())
        results = {
            (rb.id, step.id): (step.kind, run_step(step, rb, targets, box.port))
            for rb in found.runbooks
            for step in rb.steps
        }
    finally:
        await app.drill.stop()
    assert len(results) > 80
    assert sorted(p.name for p in markers.iterdir()) == []
    assert box.connections == 0
    for (rb, step), (kind, result) in results.items():
        if kind == "exec":
            assert "FAKE" not in result.text, (rb, step)
    assert targets.postgres_dsn or available()  # the embedded server ran, or why it could not
    if targets.postgres_dsn:  # SQL steps went to the embedded server
        _kind, who = results["RB-004", "who-holds"]
        assert who.outcome == "ok", who.summary
    _kind, undo = results["RB-004", "rollback"]
    assert undo.outcome == "ok" and "registry.local/kyc-svc:" in undo.summary
    _kind, argo = results["RB-004", "argo-rollback"]
    assert argo.outcome == "ok", argo.summary
