"""Scenario exporter: the seed platform's metrics on a loopback HTTP port, settable at run time."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from cockpit.sim.scenario_metrics import MetricStore

METRICS_PATH = "/metrics"
OCR_PATH = "/ocr/metrics"
"""Scraped by a separate `ocr-svc` job: a 503 here makes Prometheus's own up{job="ocr-svc"} 0."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # not socketserver's 5: a burst of scrapes must not wait 1 s

    def __init__(self, address: tuple[str, int], exporter: ScenarioExporter) -> None:
        super().__init__(address, _Handler)
        self.exporter = exporter


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        exporter = self.server.exporter
        if path == METRICS_PATH:
            self._reply(200, generate_latest(exporter.registry), CONTENT_TYPE_LATEST)
        elif path == OCR_PATH:
            if exporter.ocr_up:
                self._reply(200, b"ocr_ready 1\n", CONTENT_TYPE_LATEST)
            else:
                self._reply(503, b"ocr-svc is down (scenario)\n", "text/plain")
        elif path == "/":
            self._reply(200, b"cockpit scenario exporter: /metrics, /ocr/metrics\n", "text/plain")
        else:
            self._reply(404, b"not found\n", "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # Scrapes every second would flood the test output.
        return


class ScenarioExporter:
    """A threaded Prometheus exporter whose values tests and the demo change at run time.

    Starts in the healthy default state (see MetricStore.reset). Port 0 picks a free port.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._requested_port = port
        self.store = MetricStore()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self.store)
        self._ocr_up = True
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ScenarioExporter:
        """Bind and serve in a background thread; returns self for chaining."""
        if self._server is not None:
            return self
        server = _Server((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
            name=f"scenario-exporter:{server.server_address[1]}",
        )  # fmt: skip
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._server is None:
            raise RuntimeError("ScenarioExporter is not started; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:40123 (metrics under /metrics)."""
        return f"http://{self.host}:{self.port}"

    @property
    def address(self) -> str:
        """host:port, the form Prometheus scrape targets use."""
        return f"{self.host}:{self.port}"

    @property
    def ocr_up(self) -> bool:
        """Whether /ocr/metrics answers 200 (True) or 503 (False)."""
        with self._lock:
            return self._ocr_up

    def set_ocr_up(self, up: bool) -> None:
        """Make the OCR scrape succeed or fail."""
        with self._lock:
            self._ocr_up = bool(up)

    def set_gauge(self, name: str, value: float, **labels: str) -> None:
        """Set a gauge series, e.g. set_gauge("rne_subscription_balance", 50, tenant="t1")."""
        self.store.set_gauge(name, value, **labels)

    def inc_counter(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Increase a counter series, e.g. inc_counter("liveness_fail_total", 500, tenant="t1")."""
        self.store.inc_counter(name, amount, **labels)

    def remove(self, name: str, **labels: str) -> None:
        """Drop one series, as when a target disappears."""
        self.store.remove(name, **labels)

    def observe_latency(self, service: str, seconds: float, n: int = 1) -> None:
        """Record `n` requests of `service` lasting `seconds` each."""
        self.store.observe_latency(service, seconds, n)

    def reset(self) -> None:
        """Back to the healthy defaults, OCR up."""
        self.store.reset()
        self.set_ocr_up(True)

    def __enter__(self) -> ScenarioExporter:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
