"""What proves a simulated session touches nothing real: a loopback listener that counts
connections, fake programs first on PATH that leave a marker, and every shipped step run
through the session's own targets (used by the demo's and the drill's tests)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

from cockpit.runbook.exec.base import StepFailure, StepResult, StepTargets, seconds
from cockpit.runbook.exec.dispatch import execute_plan, plan_step
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import bind_params, source_keys

PROGRAMS = ("kubectl", "psql", "pg_dump", "curl", "wget", "bash", "sh", "python3",
            "kafka-consumer-groups.sh", "kafka-topics.sh", "kafka-log-dirs.sh",
            "kafka-configs.sh", "openssl", "ssh")  # fmt: skip
"""Every program a shipped runbook could start on a real bastion."""


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


def hostile_environ(tmp_path: Path, port: int) -> tuple[Path, dict[str, str]]:
    """Plant the fake programs (each writes a marker in the returned directory) and a
    KUBECONFIG at `port`; the variables that aim PATH, Kubernetes and PG* at them."""
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
        f"clusters: [{{name: real, cluster: {{server: 'https://127.0.0.1:{port}'}}}}]\n"
        "contexts: [{name: real, context: {cluster: real, user: real}}]\n"
        "users: [{name: real, user: {token: not-a-secret}}]\n"
    )
    return markers, {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "KUBECONFIG": str(kubeconfig),
        "PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres", "PGPASSWORD": "x",
        "PGDATABASE": "kyc", "DATABASE_URL": f"postgresql://127.0.0.1:{port}/kyc",
    }  # fmt: skip


def step_values(port: int) -> dict[str, str]:
    """A value for every parameter the shipped runbooks ask the operator for."""
    here = f"127.0.0.1:{port}"
    return {"service": "kyc-svc", "pod": "ocr-svc-abc12", "consumergroup": "kyc-consumer",
            "topic": "kyc.cases", "consumer": "kyc-consumer", "partitions": "6",
            "tenant": "acme-bank", "tenant_env": "ACME_BANK", "api_host": here, "npm_host": here,
            "declaration_id": "decl-1", "domain": "acme-bank.kyc-platform.example",
            "cert_id": "1", "gpu_node": "node-3",
            "dump_file": "/var/backups/cockpit/audit-demo.dump"}  # fmt: skip


def run_step(step: Step, runbook: Runbook, targets: StepTargets, port: int) -> StepResult:
    """Plan and run `step` as the step run would, with the operator typing `step_values`."""
    typed = {k: v for k, v in step_values(port).items() if runbook.param(k)}
    incident = {"detected_at": "2026-03-12T02:48:00Z"}
    bound = bind_params(runbook, source_keys(labels={}, incident=incident, operator=typed))
    try:
        plan = plan_step(step, bound.for_step(step), bound.sql_args(step), targets, None)
        return execute_plan(plan, targets, seconds(step.timeout), OutputStream())
    except StepFailure as err:
        return StepResult(err.outcome, str(err))
