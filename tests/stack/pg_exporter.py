"""prometheus-postgres-exporter against the test PostgreSQL, on a free loopback port."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import httpx

from .ports import LOOPBACK, wait_until
from .procs import ManagedProcess, require_binary, start_on_free_port

BINARY = "/usr/bin/prometheus-postgres-exporter"
APT_PACKAGE = "prometheus-postgres-exporter"


class PostgresExporter:
    """The Debian exporter (0.11) scraping `data_source` (a libpq URL)."""

    def __init__(self, data_source: str) -> None:
        self._binary = require_binary(BINARY, APT_PACKAGE)
        self.data_source = data_source
        self.base = Path(tempfile.mkdtemp(prefix="cockpit-pgexp-"))
        self.port = 0
        self._proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """Base URL; metrics under /metrics."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def address(self) -> str:
        """host:port for a Prometheus scrape target."""
        return f"{LOOPBACK}:{self.port}"

    def start(self) -> PostgresExporter:
        """Start and wait until a scrape reports pg_up 1."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATA_SOURCE_NAME": self.data_source,
        }

        def spawn(port: int) -> ManagedProcess:
            self.port = port
            argv = [self._binary, f"--web.listen-address={self.address}", "--log.level=warn"]
            return ManagedProcess("postgres-exporter", argv, self.base / "exporter.log", env=env)

        def scraped_up() -> bool:
            text = httpx.get(f"{self.url}/metrics", timeout=2).text
            return any(line == "pg_up 1" for line in text.splitlines())

        def ready(proc: ManagedProcess) -> None:
            wait_until(
                scraped_up, timeout=10, what="postgres-exporter",
                log_tail=proc.log_tail, alive=proc.alive,
            )  # fmt: skip

        self._proc = start_on_free_port(spawn, ready)
        return self

    def cleanup(self) -> None:
        """Stop and delete the temp directory."""
        if self._proc is not None:
            self._proc.stop()
        shutil.rmtree(self.base, ignore_errors=True)
