"""Alertmanager on loopback with one null receiver and clustering disabled."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import httpx

from .ports import LOOPBACK, wait_until
from .procs import ManagedProcess, require_binary, start_on_free_port

BINARY = "/usr/bin/prometheus-alertmanager"
APT_PACKAGE = "prometheus-alertmanager"

CONFIG = """\
route:
  receiver: "null"
  group_by: ["alertname"]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
"""


class AlertmanagerServer:
    """Alertmanager whose v2 API (/api/v2/alerts) shows what Prometheus sent it."""

    def __init__(self) -> None:
        self._binary = require_binary(BINARY, APT_PACKAGE)
        self.base = Path(tempfile.mkdtemp(prefix="cockpit-am-"))
        self.port = 0
        self._proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:40000."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def address(self) -> str:
        """host:port for Prometheus's alerting config."""
        return f"{LOOPBACK}:{self.port}"

    def start(self) -> AlertmanagerServer:
        """Write the config, start, wait for /-/ready."""
        config = self.base / "alertmanager.yml"
        config.write_text(CONFIG, encoding="utf-8")
        (self.base / "data").mkdir(exist_ok=True)

        def spawn(port: int) -> ManagedProcess:
            self.port = port
            argv = [
                self._binary,
                f"--config.file={config}",
                f"--storage.path={self.base / 'data'}",
                f"--web.listen-address={self.address}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ]
            return ManagedProcess("alertmanager", argv, self.base / "alertmanager.log")

        def ready(proc: ManagedProcess) -> None:
            wait_until(
                lambda: httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200,
                timeout=10, what="Alertmanager", log_tail=proc.log_tail, alive=proc.alive,
            )  # fmt: skip

        self._proc = start_on_free_port(spawn, ready)
        return self

    def cleanup(self) -> None:
        """Stop and delete the temp directory."""
        if self._proc is not None:
            self._proc.stop()
        shutil.rmtree(self.base, ignore_errors=True)
