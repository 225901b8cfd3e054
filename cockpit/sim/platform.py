"""The scripted seed platform: every figure is a pure function of (seed, scenario time)."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from cockpit.sim import inventory as inv
from cockpit.sim.scenario import Scenario

T = TypeVar("T")

DRIFT_CAP_S = 3600.0
"""Slow drifts (checks used, RNE spend) stop after an hour so a long demo never pages on them."""
TENANT_CADENCE_S = 30.0
PG_CADENCE_S = 2.0
LATENCY_CADENCE_S = 5.0


@dataclass(frozen=True, slots=True)
class TenantFigures:
    """One tenant's quota figures at one time."""

    tenant: str
    domain: str
    checks_month: float
    license_limit: float
    rne_balance: float
    cert_expiry_days: float


class Memo:
    """A small bounded cache; values are pure functions of the key, so sharing is safe."""

    def __init__(self, size: int = 2048) -> None:
        self._data: OrderedDict[Hashable, object] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]  # type: ignore[return-value]
        value = make()
        with self._lock:
            self._data[key] = value
            if len(self._data) > self._size:
                self._data.popitem(last=False)
        return value


def _bucket(t: float, cadence_s: float) -> float:
    return math.floor(t / cadence_s) * cadence_s


class Platform:
    """Services, Kafka consumers, PostgreSQL and tenants of the seed platform over time.

    `t` is scenario seconds since the demo began (negative: healthy history before it).
    Figures move at modest cadences (lag every 2 s for the busy groups, tenants every
    30 s) so a quiet screen really is quiet.
    """

    max_connections = inv.MAX_CONNECTIONS

    def __init__(self, seed: int = 7, scenario: Scenario | None = None) -> None:
        self.seed = seed
        self.scenario = scenario or Scenario()
        self.tenant_traits = inv.tenants(seed)
        self._memo = Memo()
        self.leak_cut_at: float | None = None
        """Scenario time the leaked sessions were terminated (the demo's RB-004 kill):
        from then on the leak and the queries queued behind it are gone."""

    def cut_leak(self, t: float) -> None:
        """The leaked kyc sessions were terminated at scenario time `t` (first cut wins)."""
        if self.leak_cut_at is None:
            self.leak_cut_at = t

    def connections(self, t: float) -> dict[tuple[str, str], int]:
        """Sessions per (database, state), every state present (exporter style)."""
        q = _bucket(t, PG_CADENCE_S)
        cut = self.leak_cut_at if self.leak_cut_at is not None and q >= self.leak_cut_at else None
        return self._memo.get(("pg", q, cut), lambda: self._connections(q, cut is not None))

    def _connections(self, t: float, cut: bool = False) -> dict[tuple[str, str], int]:
        sc, u = self.scenario, self.scenario.local(t)
        out = {(db, state): 0 for db in inv.DATABASES for state in inv.PG_STATES}
        for db, (active, idle, in_tx) in inv.DATABASES.items():
            wobble = round(2 * inv.noise(self.seed, inv.key_id(f"pg/{db}"), t, 10.0))
            busy = inv.noise(self.seed, inv.key_id(f"pg-active/{db}"), t, 4.0)
            out[db, "active"] = active + max(0, round(busy + 0.3))
            out[db, "idle"] = max(0, idle + wobble)
            out[db, "idle in transaction"] = in_tx
        if not cut:
            out["kyc", "idle in transaction"] += round(sc.leaked_sessions(u))
            out["kyc", "active"] += round(sc.slow_queries(u))
        # PostgreSQL refuses clients beyond the limit: the pool's idle sessions give way.
        excess = sum(out.values()) - (self.max_connections - inv.RESERVED_CONNECTIONS)
        if excess > 0:
            out["kyc", "idle"] = max(0, out["kyc", "idle"] - excess)
        return out

    def lags(self, t: float) -> dict[tuple[str, str, str], int]:
        """Lag per (group, topic, partition)."""
        # Every cadence is a whole number of seconds, so the second fixes the values.
        q = float(math.floor(t))
        return self._memo.get(("lag", q), lambda: self._lags(q))

    def _lags(self, t: float) -> dict[tuple[str, str, str], int]:
        sc, u = self.scenario, self.scenario.local(t)
        out: dict[tuple[str, str, str], int] = {}
        for c in inv.CONSUMERS:
            key = inv.key_id(f"lag/{c.group}/{c.topic}")
            base = c.base_lag * (1.0 + 0.35 * inv.noise(self.seed, key, t, c.cadence_s))
            if (c.group, c.topic) == ("kyc-consumer", "kyc.cases"):
                base += sc.cases_lag(_bucket(u, c.cadence_s))
            elif (c.group, c.topic) == ("kyc-consumer", "kyc.documents"):
                base += sc.documents_lag(_bucket(u, c.cadence_s))
            weights = [1.0 + 0.4 * inv.unit(self.seed, key, p) for p in range(c.partitions)]
            total = sum(weights)
            for p, w in enumerate(weights):
                out[c.group, c.topic, str(p)] = max(0, round(base * w / total))
        return out

    def group_lags(self, t: float) -> dict[tuple[str, str], int]:
        """Lag per (group, topic), partitions summed."""
        out: dict[tuple[str, str], int] = {}
        for (group, topic, _), lag in self.lags(t).items():
            out[group, topic] = out.get((group, topic), 0) + lag
        return out

    def latency_p95(self, t: float) -> dict[str, float]:
        """p95 request latency (seconds) per service."""
        q = _bucket(t, LATENCY_CADENCE_S)
        u = self.scenario.local(q)
        out: dict[str, float] = {}
        for service, usual in inv.SERVICES.items():
            wobble = 0.03 * inv.noise(self.seed, inv.key_id(f"p95/{service}"), q, 5.0)
            out[service] = round(usual + wobble, 3)
        out["kyc-svc"] = round(out["kyc-svc"] + self.scenario.kyc_latency(u), 3)
        out["aml-svc"] = round(out["aml-svc"] + self.scenario.aml_latency(u), 3)
        return out

    def up(self, t: float) -> dict[str, float]:
        """Scrape health per service job (the scenario keeps every service up)."""
        return dict.fromkeys(inv.SERVICES, 1.0)

    def tenants(self, t: float) -> tuple[TenantFigures, ...]:
        """Quota figures of every tenant (they move every 30 s)."""
        q = _bucket(t, TENANT_CADENCE_S)
        return self._memo.get(("tenants", q), lambda: self._tenants(q))

    def _tenants(self, t: float) -> tuple[TenantFigures, ...]:
        sc, u = self.scenario, self.scenario.local(t)
        drift = min(max(u, 0.0), DRIFT_CAP_S)
        out: list[TenantFigures] = []
        for tr in self.tenant_traits:
            checks = math.floor(tr.checks_month + tr.checks_per_s * drift)
            limit, balance = tr.license_limit, tr.rne_balance - math.floor(tr.rne_per_s * drift)
            if tr.name == "acme-bank":
                checks, limit = math.floor(sc.acme_checks(u)), sc.acme_limit(u)
            elif tr.name == "tunis-fintech":
                balance = math.floor(sc.tunis_rne_balance(u))
            out.append(
                TenantFigures(
                    tr.name, tr.domain, checks, limit, float(balance), tr.cert_expiry_days
                )
            )
        return tuple(out)
