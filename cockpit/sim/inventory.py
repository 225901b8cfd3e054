"""What the simulated seed platform is made of: services, consumer groups, databases, tenants."""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass

SERVICES: dict[str, float] = {
    "kyc-svc": 0.18,
    "aml-svc": 0.22,
    "tcr-svc": 0.15,
    "ocr-svc": 0.45,
    "liveness-svc": 0.30,
    "connector-rne": 0.35,
}
"""Service -> its usual p95 latency in seconds."""


@dataclass(frozen=True, slots=True)
class Consumer:
    """A consumer group reading one topic; `cadence_s` is how often its lag moves."""

    group: str
    topic: str
    partitions: int
    base_lag: float
    cadence_s: float


CONSUMERS = (
    Consumer("kyc-consumer", "kyc.cases", 6, 120, 2),
    Consumer("kyc-consumer", "kyc.documents", 6, 80, 2),
    Consumer("aml-screening", "aml.requests", 6, 200, 2),
    Consumer("aml-rescreening", "aml.list-updates", 3, 40, 15),
    Consumer("ocr-worker", "ocr.jobs", 4, 60, 15),
    Consumer("tcr-consumer", "tcr.declarations", 3, 25, 15),
    Consumer("tcr-ides-uploader", "tcr.ides-submissions", 2, 5, 15),
    Consumer("liveness-worker", "liveness.sessions", 4, 90, 15),
    Consumer("rne-connector", "rne.lookups", 2, 30, 15),
    Consumer("audit-writer", "audit.events", 6, 150, 15),
    Consumer("notifier", "notifications.outbound", 3, 20, 15),
    Consumer("billing-meter", "billing.usage", 2, 10, 15),
)

DATABASES: dict[str, tuple[int, int, int]] = {
    "kyc": (6, 22, 1),
    "aml": (3, 12, 1),
    "tcr": (2, 8, 0),
    "audit": (1, 4, 0),
    "billing": (1, 3, 0),
    "postgres": (1, 0, 0),
}
"""Database -> usual (active, idle, idle in transaction) sessions: about 64 of 200."""

PG_STATES = (
    "active",
    "idle",
    "idle in transaction",
    "idle in transaction (aborted)",
    "fastpath function call",
    "disabled",
)
"""Every state postgres-exporter 0.11 reports (zero-filled per database)."""
PG_EXPORTER = {"job": "postgres", "instance": "pg-exporter:9187"}
PG_SERVER = "pg-primary:5432"
KAFKA_EXPORTER = {"job": "kafka-exporter", "instance": "kafka-exporter:9308"}
TENANT_EXPORTER = {"job": "tenant-metrics", "instance": "platform-metrics:9100"}
MAX_CONNECTIONS = 200
RESERVED_CONNECTIONS = 3

NAMED_TENANTS = (
    "acme-bank",
    "tunis-fintech",
    "medina-insure",
    "carthage-pay",
    "sahel-credit",
    "atlas-leasing",
    "djerba-microfinance",
    "numidia-telecom",
    "bizerte-assurances",
    "sfax-capital",
    "kairouan-invest",
    "gabes-energy",
)
TENANT_COUNT = 60
_LIMITS = (5_000, 10_000, 25_000, 50_000, 100_000)


@dataclass(frozen=True, slots=True)
class Tenant:
    """A tenant's fixed traits; the figures drift from these over time."""

    name: str
    license_limit: float
    checks_month: float
    checks_per_s: float
    rne_balance: float
    rne_per_s: float
    cert_expiry_days: float

    @property
    def domain(self) -> str:
        """The tenant's white-label domain (its certificate is watched)."""
        return f"{self.name}.kyc-platform.example"


def tenants(seed: int) -> tuple[Tenant, ...]:
    """The same ~60 tenants for a given seed; none of them breaches a threshold on its own."""
    rng = random.Random(seed)
    names = [*NAMED_TENANTS]
    names += [f"t-{n:04d}" for n in range(len(names) + 1, TENANT_COUNT + 1)]
    out: list[Tenant] = []
    for name in names:
        limit = float(rng.choice(_LIMITS))
        out.append(
            Tenant(
                name=name,
                license_limit=limit,
                checks_month=math.floor(limit * rng.uniform(0.1, 0.8)),
                checks_per_s=limit * rng.uniform(0.5e-6, 3e-6),
                rne_balance=float(rng.randrange(3_000, 60_000, 50)),
                rne_per_s=rng.uniform(0.05, 0.5),
                cert_expiry_days=float(rng.randrange(20, 330)),
            )
        )
    return tuple(out)


_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64: a cheap, well-spread integer hash."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def key_id(key: str) -> int:
    """A stable integer for a series name (crc32, unlike hash(), is not salted per process)."""
    return zlib.crc32(key.encode("utf-8"))


def unit(seed: int, key: int, step: int) -> float:
    """A deterministic pseudo-random number in [-1, 1) for (seed, key, step)."""
    h = _mix(_mix(_mix(seed & _MASK) ^ key) ^ (step & _MASK))
    return (h >> 11) / float(1 << 52) - 1.0


def noise(seed: int, key: int, t: float, cadence_s: float, span: int = 6) -> float:
    """Smooth noise in [-1, 1]: a new value every `cadence_s`, drifting over `span` steps.

    Piecewise constant between steps so a figure does not change at every poll; smoothly
    interpolated between lattice points so it wanders rather than jumps.
    """
    step = math.floor(t / cadence_s)
    lattice, offset = divmod(step, span)
    a, b = unit(seed, key, lattice), unit(seed, key, lattice + 1)
    f = offset / span
    return a + (b - a) * f * f * (3.0 - 2.0 * f)


def service_target(service: str) -> dict[str, str]:
    """The job and instance labels a service's own scrape carries."""
    return {"job": service, "instance": f"{service}:8080"}
