"""The demo touches nothing real: every step of every shipped runbook, run through the demo's
own targets, with fake programs first on PATH, a bogus KUBECONFIG and PG* variables that point
at a listening trap. No fake is ever started and nothing ever connects to the trap."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from touch_trap import Trap, hostile_environ, run_step

from cockpit.clock import SystemClock
from cockpit.demo_setup import demo_targets
from cockpit.runbook.model import Runbook
from cockpit.sim.demo import DemoPlatform


@pytest.fixture
def trap() -> Iterator[Trap]:
    box = Trap()
    yield box
    box.close()


@pytest.fixture
def hostile_env(tmp_path: Path, trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fake programs first on PATH (each writes a marker), KUBECONFIG and PG* at the trap."""
    markers, environ = hostile_environ(tmp_path, trap.port)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    # The trap works: the fake kubectl leaves its marker, a connection is counted.
    subprocess.run(["kubectl", "version"], check=True, capture_output=True)
    assert (markers / "kubectl").exists()
    (markers / "kubectl").unlink()
    socket.create_connection(("127.0.0.1", trap.port), timeout=2).close()
    for _ in range(50):
        if trap.connections:
            break
        threading.Event().wait(0.05)
    assert trap.connections == 1
    trap.connections = 0
    return markers


def test_every_step_of_every_runbook_stays_in_the_demo(
    hostile_env: Path, trap: Trap, runbooks: dict[str, Runbook]
) -> None:
    platform = DemoPlatform(SystemClock(), speed=60, with_k8s=True).start()
    try:
        targets = demo_targets(platform.prometheus_url, platform.k8s_url, os.environ,
                               alertmanager_url=platform.alertmanager_url,
                               loki_url=platform.loki_url,
                               argocd_url=platform.argocd_url)  # fmt: skip
        assert targets.toolbox is not None
        results = {
            (rb.id, step.id): (step.kind, run_step(step, rb, targets, trap.port))
            for rb in runbooks.values()
            for step in rb.steps
        }
    finally:
        platform.stop()
    assert len(results) == sum(len(rb.steps) for rb in runbooks.values()) > 80
    assert sorted(p.name for p in hostile_env.iterdir()) == []
    assert trap.connections == 0
    by_kind = {kind for kind, _ in results.values()}
    assert by_kind == {"promql", "logql", "sql", "k8s", "exec", "http", "check", "argocd"}
    for (rb, step), (kind, result) in results.items():
        if kind == "sql":
            assert "no PostgreSQL in the demo" in result.summary, (rb, step)
        if kind == "http":
            assert result.outcome == "failed" and "not sent" in result.summary, (rb, step)
        if kind == "exec":
            assert "FAKE" not in result.text and "simulated toolbox" in (
                result.summary + result.text
            ), (rb, step)
    for (rb, step), (kind, result) in results.items():
        if kind == "logql":
            assert result.outcome == "ok" and result.columns == ("time", "stream", "line"), (
                rb, step, result.summary)  # fmt: skip
    _kind, ocr = results["RB-002", "ocr-history"]
    assert any("inference timeout" in row[2] for row in ocr.rows)
    _kind, undo = results["RB-004", "rollback"]
    # RB-001's rollback and restart ran first on the same deployment: only the shape is fixed.
    assert undo.outcome == "ok" and "rolled back to the template of revision" in undo.summary
    assert "registry.local/kyc-svc:" in undo.summary, undo.summary
    _kind, lag = results["RB-003", "group-describe"]
    assert lag.outcome == "ok" and "kyc-consumer" in lag.text and "LAG" in lag.text
    _kind, cert = results["RB-007", "served-cert"]
    assert cert.outcome == "ok" and "expire date" in cert.text
    _kind, dump = results["RB-008", "snapshot"]
    assert (
        dump.outcome == "failed"
        and "not available in the demo's simulated toolbox: pg_dump" in (dump.text)
    )
