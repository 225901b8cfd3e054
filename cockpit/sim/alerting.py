"""The demo's alert evaluation: catalog thresholds checked on the platform model, with `for`."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.sim.inventory import KAFKA_EXPORTER, PG_EXPORTER, PG_SERVER, TENANT_EXPORTER
from cockpit.sim.inventory import service_target as _service_target
from cockpit.sim.platform import Memo, Platform, TenantFigures

if TYPE_CHECKING:
    from cockpit.runbook.catalog import Catalog

RUNBOOK_BASE_URL = "https://runbooks.kyc-platform.example/"
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Breach:
    """One target over its threshold at one evaluation: target labels, scrape labels, value."""

    target: Pairs
    scrape: Mapping[str, str]
    value: float


@dataclass(frozen=True, slots=True)
class DemoAlert:
    """A pending or firing alert; times are scenario seconds (the API turns them into dates)."""

    name: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    state: str
    active_at: float
    fired_at: float | None
    value: float
    expr: str


Condition = Callable[[Platform, float, float], list[Breach]]


def _latency(p: Platform, t: float, limit: float) -> list[Breach]:
    return [
        Breach((("service", s),), _service_target(s), v)
        for s, v in p.latency_p95(t).items()
        if v > limit
    ]


def _ocr_down(p: Platform, t: float, limit: float) -> list[Breach]:
    target = _service_target("ocr-svc")
    if p.up(t)["ocr-svc"] > limit:
        return []
    return [Breach((("instance", target["instance"]), ("job", "ocr-svc")), {}, 0.0)]


def _kafka(p: Platform, t: float, limit: float) -> list[Breach]:
    return [
        Breach((("consumergroup", g), ("topic", topic)), KAFKA_EXPORTER, float(lag))
        for (g, topic), lag in p.group_lags(t).items()
        if lag > limit
    ]


def _postgres(p: Platform, t: float, ratio: float) -> list[Breach]:
    total = sum(p.connections(t).values())
    if total <= ratio * p.max_connections:
        return []
    target = (("instance", PG_EXPORTER["instance"]), ("server", PG_SERVER))
    return [Breach(target, {"job": PG_EXPORTER["job"]}, float(total))]


def _tenant_rule(pick: Callable[[TenantFigures], float | None], above: bool) -> Condition:
    def condition(p: Platform, t: float, limit: float) -> list[Breach]:
        out: list[Breach] = []
        for row in p.tenants(t):
            value = pick(row)
            if value is not None and (value > limit if above else value < limit):
                out.append(Breach((("tenant", row.tenant),), TENANT_EXPORTER, value))
        return out

    return condition


def _quota_used(row: TenantFigures) -> float | None:
    return row.checks_month / row.license_limit if row.license_limit > 0 else None


def _certs(p: Platform, t: float, limit: float) -> list[Breach]:
    return [
        Breach((("domain", row.domain),), TENANT_EXPORTER, row.cert_expiry_days)
        for row in p.tenants(t)
        if row.cert_expiry_days < limit
    ]


CONDITIONS: dict[str, Condition] = {
    "ApiHighLatencyP95": _latency,
    "OcrServiceDown": _ocr_down,
    "KafkaConsumerLagHigh": _kafka,
    "PostgresConnectionsExhausted": _postgres,
    "RneBalanceLow": _tenant_rule(lambda row: row.rne_balance, above=False),
    "CertificateExpiringSoon": _certs,
    "LicenseQuotaExceeded": _tenant_rule(_quota_used, above=True),
}
"""Catalog alerts the model has inputs for; the others never fire in the demo."""


class AlertEngine:
    """Evaluates the catalog every scenario second, as Prometheus would with a 1 s interval.

    An alert is pending from the first breaching evaluation and firing once it has
    breached for the catalog's `for` times the scenario's `for_scale`. Pure in `t`:
    caches only avoid re-walking history.
    """

    def __init__(self, platform: Platform, catalog: Callable[[], Catalog] | None = None) -> None:
        self.platform = platform
        self._load = catalog
        self._catalog: Catalog | None = None
        self._lock = threading.RLock()
        self._breaches = Memo(size=16384)
        self._runs: dict[tuple[str, Pairs], tuple[int, int]] = {}

    def catalog(self) -> Catalog:
        """The alert catalog, loaded once on first use (yaml is slow to import)."""
        with self._lock:
            if self._catalog is None:
                if self._load is None:
                    from cockpit.runbook.catalog import load_catalog

                    self._catalog = load_catalog()
                else:
                    self._catalog = self._load()
            return self._catalog

    def evaluate(self, t: float) -> list[DemoAlert]:
        """Pending and firing alerts at scenario time `t`, sorted by name then labels."""
        from cockpit.runbook.catalog import duration_seconds

        tick = math.floor(t)
        out: list[DemoAlert] = []
        with self._lock:
            for rule in self.catalog().alerts:
                if rule.name not in CONDITIONS or rule.threshold is None:
                    continue
                wait = duration_seconds(rule.for_) * self.platform.scenario.for_scale
                for breach in self._at(rule.name, rule.threshold, tick).values():
                    start = self._onset(rule.name, rule.threshold, breach.target, tick)
                    firing = tick - start >= wait
                    labels = {"alertname": rule.name, "severity": rule.severity}
                    if rule.runbook:
                        labels["runbook"] = rule.runbook
                    labels.update(breach.scrape)
                    labels.update(breach.target)
                    shown = ", ".join(f"{k}={v}" for k, v in breach.target)
                    notes = {
                        "summary": f"{rule.summary} ({shown})",
                        "description": rule.description,
                    }
                    if rule.runbook:
                        notes["runbook"] = rule.runbook
                        notes["runbook_url"] = RUNBOOK_BASE_URL + rule.runbook
                    out.append(
                        DemoAlert(
                            rule.name, labels, notes, "firing" if firing else "pending",
                            float(start), float(start + wait) if firing else None,
                            breach.value, rule.expr,
                        )
                    )  # fmt: skip
        return sorted(out, key=lambda a: (a.name, sorted(a.labels.items())))

    def _at(self, name: str, threshold: float, tick: int) -> dict[Pairs, Breach]:
        def make() -> dict[Pairs, Breach]:
            return {b.target: b for b in CONDITIONS[name](self.platform, float(tick), threshold)}

        return self._breaches.get((name, tick), make)

    def _onset(self, name: str, threshold: float, target: Pairs, tick: int) -> int:
        """First tick of the unbroken run of breaches that includes `tick`."""
        floor = math.floor(self.platform.scenario.cycle_start(float(tick)))
        known = self._runs.get((name, target))
        n = tick
        while n > floor:
            if known is not None and known[0] <= n - 1 <= known[1]:
                n = known[0]
                break
            if target not in self._at(name, threshold, n - 1):
                break
            n -= 1
        end = max(tick, known[1]) if known is not None and known[0] == n else tick
        self._runs[name, target] = (n, end)
        return n
