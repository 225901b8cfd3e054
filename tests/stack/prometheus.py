"""Prometheus on loopback scraping the test stack every second and evaluating the catalog rules."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import httpx
import yaml

from cockpit.runbook.catalog import generate_rules, load_catalog

from .ports import LOOPBACK, wait_until
from .procs import ManagedProcess, require_binary, start_on_free_port

BINARY = "/usr/bin/prometheus"
APT_PACKAGE = "prometheus"
RULES_FOR = "1s"
"""Every catalog `for` is shortened to this so alerts fire within a test's patience."""


def build_config(
    *, scenario: str, pg_exporter: str, alertmanager: str, rules_file: Path
) -> dict[str, Any]:
    """The Prometheus config: three jobs (scenario, ocr-svc, postgres), rules, alerting."""

    def job(name: str, target: str, path: str = "/metrics") -> dict[str, Any]:
        return {"job_name": name, "metrics_path": path, "static_configs": [{"targets": [target]}]}

    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules_file)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "scrape_configs": [
            job("scenario", scenario),
            job("ocr-svc", scenario, "/ocr/metrics"),
            job("postgres", pg_exporter),
        ],
    }


class PrometheusServer:
    """A real Prometheus; `query()` runs an instant query through its HTTP API."""

    def __init__(self, *, scenario: str, pg_exporter: str, alertmanager: str) -> None:
        self._binary = require_binary(BINARY, APT_PACKAGE)
        self.base = Path(tempfile.mkdtemp(prefix="cockpit-prom-"))
        self.rules_file = self.base / "rules.yml"
        self.config_file = self.base / "prometheus.yml"
        self._targets = {
            "scenario": scenario,
            "pg_exporter": pg_exporter,
            "alertmanager": alertmanager,
        }
        self.port = 0
        self._proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:40001."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> PrometheusServer:
        """Write config and rules, start, and wait_ready()."""
        self.rules_file.write_text(
            generate_rules(load_catalog(), for_override=RULES_FOR), encoding="utf-8"
        )
        config = build_config(rules_file=self.rules_file, **self._targets)
        self.config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

        def spawn(port: int) -> ManagedProcess:
            self.port = port
            argv = [
                self._binary,
                f"--config.file={self.config_file}",
                f"--storage.tsdb.path={self.base / 'data'}",
                f"--web.listen-address={LOOPBACK}:{port}",
                "--web.enable-lifecycle",
                "--log.level=warn",
            ]
            return ManagedProcess("prometheus", argv, self.base / "prometheus.log")

        def ready(proc: ManagedProcess) -> None:
            self._proc = proc
            self.wait_ready()

        self._proc = start_on_free_port(spawn, ready)
        return self

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Wait for /-/ready and for one scrape of every target (so queries see data)."""
        proc = self._proc
        if proc is None:
            raise RuntimeError("Prometheus is not started")

        def ready() -> bool:
            if httpx.get(f"{self.url}/-/ready", timeout=2).status_code != 200:
                return False
            targets = httpx.get(f"{self.url}/api/v1/targets", timeout=2).json()
            active = targets["data"]["activeTargets"]
            return len(active) == 3 and all(t["health"] != "unknown" for t in active)

        wait_until(
            ready, timeout=timeout, what="Prometheus", log_tail=proc.log_tail, alive=proc.alive
        )

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Instant query; the `result` list of the API answer."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=5)
        answer.raise_for_status()
        body = answer.json()
        if body.get("status") != "success":
            raise RuntimeError(f"query {expr!r} failed: {body}")
        return list(body["data"]["result"])

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the Prometheus log."""
        return self._proc.log_tail(lines) if self._proc else "(not running)"

    def cleanup(self) -> None:
        """Stop and delete the temp directory."""
        if self._proc is not None:
            self._proc.stop()
        shutil.rmtree(self.base, ignore_errors=True)
