"""A drill touches nothing real: built as `cockpit drill` builds it (embedded PostgreSQL
included), with fake programs first on PATH, a KUBECONFIG and PG* variables pointing at a
listening trap, every step of every shipped runbook runs through the drill's own targets, and
its PagerDuty is the loopback fake. No fake program runs and nothing connects to the trap."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cockpit.clock import SystemClock
from cockpit.launch import build_drill, sample_log
from cockpit.permissions import Mode
from cockpit.runbook.exec.base import StepFailure, StepResult, StepTargets, seconds
from cockpit.runbook.exec.dispatch import execute_plan, plan_step
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import bind_params, source_keys
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks
from cockpit.sim.demo_pg import available

PROGRAMS = ("kubectl", "psql", "pg_dump", "curl", "wget", "bash", "sh", "python3", "ssh",
            "kafka-consumer-groups.sh", "kafka-topics.sh", "openssl")  # fmt: skip


Arm = Callable[[], None]


class Trap:
    """A loopback listener that counts every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Trap, Path, Arm]]:
    """The trap, the markers' directory, and what arms the environment (after the embedded
    server has started: its own start-up scripts need the real `sh`)."""
    box = Trap()
    bin_dir, markers = tmp_path / "bin", tmp_path / "markers"
    bin_dir.mkdir()
    markers.mkdir()
    for name in PROGRAMS:
        fake = bin_dir / name
        fake.write_text(f'#!/bin/sh\necho "$0 $*" > "{markers}/{name}"\necho "FAKE {name}"\n')
        fake.chmod(0o755)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: real\n"
        f"clusters: [{{name: real, cluster: {{server: 'https://127.0.0.1:{box.port}'}}}}]\n"
        "contexts: [{name: real, context: {cluster: real, user: real}}]\n"
        "users: [{name: real, user: {token: not-a-secret}}]\n"
    )
    pg = {"PGHOST": "127.0.0.1", "PGPORT": str(box.port), "PGPASSWORD": "x",
          "DATABASE_URL": f"postgresql://127.0.0.1:{box.port}/kyc",
          "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
          "KUBECONFIG": str(kubeconfig)}  # fmt: skip

    def arm() -> None:
        for key, value in pg.items():
            monkeypatch.setenv(key, value)

    yield box, markers, arm
    box.close()


def _run(step: Step, runbook: Runbook, targets: StepTargets, port: int) -> StepResult:
    here = f"127.0.0.1:{port}"
    values = {"service": "kyc-svc", "pod": "ocr-svc-abc12", "consumergroup": "kyc-consumer",
              "topic": "kyc.cases", "consumer": "kyc-consumer", "partitions": "6",
              "tenant": "acme-bank", "tenant_env": "ACME_BANK", "api_host": here, "npm_host": here,
              "declaration_id": "decl-1", "domain": "acme-bank.kyc-platform.example",
              "cert_id": "1", "gpu_node": "node-3",
              "dump_file": "/var/backups/cockpit/audit-demo.dump"}  # fmt: skip
    typed = {k: v for k, v in values.items() if runbook.param(k)}
    incident = {"detected_at": "2026-03-12T02:48:00Z"}
    bound = bind_params(runbook, source_keys(labels={}, incident=incident, operator=typed))
    try:
        plan = plan_step(step, bound.for_step(step), bound.sql_args(step), targets, None)
        return execute_plan(plan, targets, seconds(step.timeout), OutputStream())
    except StepFailure as err:
        return StepResult(err.outcome, str(err))


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
            (rb.id, step.id): (step.kind, _run(step, rb, targets, box.port))
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
