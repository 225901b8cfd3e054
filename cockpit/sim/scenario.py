"""The demo's scripted incident: a leaky kyc-svc deploy, its knock-on effects, then recovery."""

from __future__ import annotations

from dataclasses import dataclass

DEPLOY_AT = 20.0
"""kyc-svc 2.14.0 goes out; one code path leaves its transaction open."""
LEAK_RATE, LEAK_MAX = 2.8, 115.0
SLOW_QUERIES_AT = 40.0
SLOW_DB_AT = 70.0
"""The kyc database is slow enough that kyc-consumer falls behind and latency climbs."""
LAG_RATE, LAG_MAX = 450.0, 90_000.0
BATCH_AT = 80.0
"""acme-bank starts a bulk onboarding batch that eats into its monthly licence."""
ACME_BASE_CHECKS, ACME_LIMIT, ACME_RAISED_LIMIT = 91_500.0, 100_000.0, 150_000.0
RNE_DRAIN_AT, RNE_START = 60.0, 1_800.0
RECOVERY_AT = 300.0
"""kyc-svc is rolled back: leaked sessions close, the consumer catches up."""
LICENSE_RAISED_AT = 310.0
RNE_TOPUP_AT, RNE_TOPUP = 320.0, 20_000.0
CYCLE_S = 420.0
"""Length of one run of the script; everything is healthy again well before its end."""

BEATS: tuple[tuple[float, str], ...] = (
    (0.0, "all services healthy"),
    (DEPLOY_AT, "kyc-svc 2.14.0 deployed; its sessions stay idle in transaction"),
    (56.0, "PostgreSQL connections pass 85% of max_connections"),
    (SLOW_DB_AT, "kyc database slow: kyc-consumer falls behind on kyc.cases"),
    (BATCH_AT, "acme-bank starts a bulk onboarding batch"),
    (90.0, "kyc-svc p95 latency above 600 ms; tunis-fintech RNE balance running out"),
    (120.0, "acme-bank above 95% of its monthly licence"),
    (RECOVERY_AT, "kyc-svc rolled back to 2.13.4: leaked sessions released"),
    (LICENSE_RAISED_AT, "acme-bank plan extended to 150,000 checks a month"),
    (RNE_TOPUP_AT, "tunis-fintech tops up its RNE subscription"),
    (370.0, "kyc-consumer caught up: all clear"),
)
"""What happens when, in scenario seconds, for the demo's banner and the docs."""


def _ramp(u: float, start: float, rate: float, cap: float) -> float:
    return 0.0 if u < start else min(cap, rate * (u - start))


def _episode(u: float, start: float, rate: float, cap: float, drain_s: float) -> float:
    """Grows from `start` until the recovery, then drains linearly over `drain_s`."""
    if u < RECOVERY_AT:
        return _ramp(u, start, rate, cap)
    peak = _ramp(RECOVERY_AT, start, rate, cap)
    return peak * max(0.0, 1.0 - (u - RECOVERY_AT) / drain_s)


@dataclass(frozen=True, slots=True)
class Scenario:
    """How the script runs: once then hold healthy, or looping after a pause.

    `for_scale` shrinks the catalog's `for` durations so alerts fire within the script
    (10 m of KafkaConsumerLagHigh becomes 30 s at the default 0.05). All times are in
    scenario seconds; the demo's `speed` maps wall seconds onto them.
    """

    loop: bool = False
    pause_s: float = 60.0
    for_scale: float = 0.05

    def __post_init__(self) -> None:
        if not self.pause_s >= 0:
            raise ValueError(f"pause_s must be >= 0 seconds, got {self.pause_s!r}")
        if not 0 < self.for_scale <= 1:
            raise ValueError(f"for_scale must be in (0, 1], got {self.for_scale!r}")

    @property
    def period(self) -> float:
        """Seconds between two starts of the script when looping."""
        return CYCLE_S + self.pause_s

    def local(self, t: float) -> float:
        """Time within the current run of the script (negative: before the demo began)."""
        if t < 0 or not self.loop:
            return t
        return t % self.period

    def cycle_start(self, t: float) -> float:
        """Scenario time at which the current run began (alerts never span two runs)."""
        return t - self.local(t) if t >= 0 else -3600.0

    def beat(self, t: float) -> str:
        """The story so far: the latest beat at `t`."""
        u = self.local(t)
        if u > CYCLE_S:
            return "all services healthy (pause before the next run)"
        return next((text for at, text in reversed(BEATS) if u >= at), BEATS[0][1])

    # Each figure below takes local time `u` and is zero before the demo began (u < 0).
    def leaked_sessions(self, u: float) -> float:
        """kyc sessions left idle in transaction by the faulty deploy."""
        return _episode(u, DEPLOY_AT, LEAK_RATE, LEAK_MAX, 30.0)

    def slow_queries(self, u: float) -> float:
        """Extra active kyc sessions while queries queue behind the locks."""
        return _episode(u, SLOW_QUERIES_AT, 0.4, 14.0, 30.0)

    def cases_lag(self, u: float) -> float:
        """Extra lag of kyc-consumer on kyc.cases."""
        return _episode(u, SLOW_DB_AT, LAG_RATE, LAG_MAX, 70.0)

    def documents_lag(self, u: float) -> float:
        """Extra lag of kyc-consumer on kyc.documents (stays under the threshold)."""
        return _episode(u, BATCH_AT, 40.0, 4_000.0, 60.0)

    def kyc_latency(self, u: float) -> float:
        """Seconds added to kyc-svc's p95."""
        return _episode(u, SLOW_DB_AT, 0.0225, 0.9, 20.0)

    def aml_latency(self, u: float) -> float:
        """Seconds added to aml-svc's p95 (it shares the database; stays under 0.6 s)."""
        return _episode(u, SLOW_DB_AT + 20.0, 0.004, 0.15, 20.0)

    def acme_checks(self, u: float) -> float:
        """acme-bank's checks this month (the batch never un-happens)."""
        return ACME_BASE_CHECKS + _ramp(u, BATCH_AT, 100.0, 7_500.0)

    def acme_limit(self, u: float) -> float:
        """acme-bank's licensed checks per month."""
        return ACME_RAISED_LIMIT if u >= LICENSE_RAISED_AT else ACME_LIMIT

    def tunis_rne_balance(self, u: float) -> float:
        """tunis-fintech's RNE balance: drained by a lookup burst, then topped up."""
        balance = max(150.0, RNE_START - _ramp(u, RNE_DRAIN_AT, 20.0, RNE_START))
        return balance + (RNE_TOPUP if u >= RNE_TOPUP_AT else 0.0)
