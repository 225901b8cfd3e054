"""The seed platform's metrics as a settable, thread-safe store, with a healthy default state."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

LATENCY_METRIC = "http_request_duration_seconds"
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.6, 1.0, 2.5, 5.0)
"""Upper bounds (seconds) of the latency histogram; 0.6 sits on the p95 alert threshold."""


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """A gauge or counter the scenario exporter serves."""

    name: str
    kind: Literal["gauge", "counter"]
    labels: tuple[str, ...]
    help: str


_SPECS = (
    MetricSpec("http_requests_total", "counter", ("service", "status"), "API requests."),
    MetricSpec(
        "kafka_consumer_lag", "gauge", ("consumergroup", "topic", "partition"), "Consumer lag."
    ),
    MetricSpec("rne_subscription_balance", "gauge", ("tenant",), "RNE prepaid balance left."),
    MetricSpec("tenant_checks_month", "gauge", ("tenant",), "Checks used this month."),
    MetricSpec("license_limit", "gauge", ("tenant",), "Licensed checks per month."),
    MetricSpec("cert_expiry_days", "gauge", ("domain",), "Days until the certificate expires."),
    MetricSpec(
        "audit_chain_integrity_failed_total", "counter", ("tenant",), "Audit chain failures."
    ),
    MetricSpec("liveness_fail_total", "counter", ("tenant",), "Failed liveness checks."),
    MetricSpec("tcr_ides_submission_failed_total", "counter", ("tenant",), "Failed IDES uploads."),
    MetricSpec(
        "aml_list_last_ingested_seconds_ago", "gauge", ("list",), "Age of the AML list copy."
    ),
    MetricSpec("pg_replication_lag_bytes", "gauge", ("replica",), "Replica WAL replay lag."),
)
SPECS: Mapping[str, MetricSpec] = {s.name: s for s in _SPECS}

SERVICES = ("kyc-svc", "aml-svc", "tcr-svc")
TENANTS = ("acme-bank", "tunis-fintech", "medina-insure")
CONSUMERS = (
    ("kyc-consumer", "kyc.case.events"),
    ("aml-screening", "aml.screening.requests"),
    ("tcr-consumer", "tcr.declarations"),
)
PARTITIONS = ("0", "1", "2")

_TENANT_DEFAULTS = {  # balance, checks used this month, licensed checks
    "acme-bank": (25_000.0, 41_000.0, 100_000.0),
    "tunis-fintech": (8_000.0, 6_200.0, 10_000.0),
    "medina-insure": (4_200.0, 900.0, 5_000.0),
}

Key = tuple[str, ...]


class MetricStore:
    """Current values of every scenario metric; safe to change from any thread."""

    def __init__(self) -> None:
        # Re-entrant so reset() can hold it across its many sets: a scrape never sees half.
        self._lock = threading.RLock()
        self._values: dict[str, dict[Key, float]] = {}
        self._hist: dict[str, tuple[tuple[float, ...], float, float]] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the healthy default state (no alert of the catalog fires)."""
        with self._lock:
            self._seed_healthy()

    def _seed_healthy(self) -> None:
        self._values = {name: {} for name in SPECS}
        self._hist = {}
        for service in SERVICES:
            self.inc_counter("http_requests_total", 1000, service=service, status="200")
            self.inc_counter("http_requests_total", 0, service=service, status="500")
            self.observe_latency(service, 0.08, 100)
        for group, topic in CONSUMERS:
            for partition in PARTITIONS:
                self.set_gauge("kafka_consumer_lag", 12, consumergroup=group, topic=topic,
                               partition=partition)  # fmt: skip
        for tenant, (balance, used, limit) in _TENANT_DEFAULTS.items():
            self.set_gauge("rne_subscription_balance", balance, tenant=tenant)
            self.set_gauge("tenant_checks_month", used, tenant=tenant)
            self.set_gauge("license_limit", limit, tenant=tenant)
            # Counters start at 0 so that the first failure is a visible increase.
            for counter in SPECS.values():
                if counter.kind == "counter" and counter.labels == ("tenant",):
                    self.inc_counter(counter.name, 0, tenant=tenant)
        for domain, days in (("api.kyc.example", 61.0), ("docs.kyc.example", 45.0)):
            self.set_gauge("cert_expiry_days", days, domain=domain)
        for aml_list, age in (("ofac-sdn", 3600.0), ("eu-consolidated", 5400.0), ("un-sc", 7200.0)):
            self.set_gauge("aml_list_last_ingested_seconds_ago", age, list=aml_list)
        self.set_gauge("pg_replication_lag_bytes", 2_000_000, replica="pg-replica-1")

    def set_gauge(self, name: str, value: float, **labels: str) -> None:
        """Set one gauge series; labels must be exactly the metric's label names."""
        key = self._key(name, "gauge", labels)
        with self._lock:
            self._values[name][key] = float(value)

    def inc_counter(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` (>= 0) to one counter series, creating it at 0 if needed."""
        if not amount >= 0:
            raise ValueError(f"{name}: a counter only goes up; amount {amount!r} is negative")
        key = self._key(name, "counter", labels)
        with self._lock:
            series = self._values[name]
            series[key] = series.get(key, 0.0) + float(amount)

    def remove(self, name: str, **labels: str) -> None:
        """Drop one series (the target vanished); unknown series are ignored."""
        spec = self._spec(name)
        key = self._key(name, spec.kind, labels)
        with self._lock:
            self._values[name].pop(key, None)

    def observe_latency(self, service: str, seconds: float, n: int = 1) -> None:
        """Record `n` requests of `service` that each took `seconds`."""
        if n < 0 or not seconds >= 0:
            raise ValueError("observe_latency needs seconds >= 0 and n >= 0")
        with self._lock:
            counts, total, count = self._hist.get(service, ((0.0,) * len(LATENCY_BUCKETS), 0, 0))
            counts = tuple(
                c + n if seconds <= b else c for c, b in zip(counts, LATENCY_BUCKETS, strict=True)
            )
            self._hist[service] = (counts, total + seconds * n, count + n)

    def collect(self) -> Iterator[Metric]:
        """Metric families for prometheus_client (the store is a custom collector)."""
        with self._lock:
            values = {name: dict(series) for name, series in self._values.items()}
            hist = dict(self._hist)
        for name, spec in SPECS.items():
            family: Metric
            if spec.kind == "gauge":
                family = GaugeMetricFamily(name, spec.help, labels=spec.labels)
            else:
                family = CounterMetricFamily(name, spec.help, labels=spec.labels)
            for key, value in sorted(values[name].items()):
                family.add_metric(list(key), value)
            yield family
        latency = HistogramMetricFamily(LATENCY_METRIC, "API request duration.", labels=["service"])
        for service, (counts, total, count) in sorted(hist.items()):
            buckets = [(str(b), c) for b, c in zip(LATENCY_BUCKETS, counts, strict=True)]
            buckets.append(("+Inf", count))
            latency.add_metric([service], buckets, total)
        yield latency

    def describe(self) -> list[Metric]:
        """Nothing up front: the registry must not collect at registration time."""
        return []

    @staticmethod
    def _spec(name: str) -> MetricSpec:
        spec = SPECS.get(name)
        if spec is None:
            raise ValueError(f"unknown scenario metric {name!r}; known: {', '.join(SPECS)}")
        return spec

    def _key(self, name: str, kind: str, labels: Mapping[str, str]) -> Key:
        spec = self._spec(name)
        if spec.kind != kind:
            raise ValueError(f"{name} is a {spec.kind}, not a {kind}")
        if set(labels) != set(spec.labels):
            raise ValueError(
                f"{name} needs labels {', '.join(spec.labels)}; got {', '.join(labels) or 'none'}"
            )
        return tuple(str(labels[label]) for label in spec.labels)
