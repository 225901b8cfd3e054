"""Judgement thresholds (from the seed alert catalog), applied when views derive the picture."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Limits that turn observations into judgements; tune them and replay re-derives the view.

    Defaults follow the seed catalog: KafkaConsumerLagHigh, PostgresConnectionsExhausted,
    LicenseQuotaExceeded, RneBalanceLow and the PostgreSQL runbook's session limits.
    """

    kafka_lag: int = 10_000
    """Consumer lag (messages) above which a group/topic is over threshold."""
    pg_usage_ratio: float = 0.85
    """Share of max_connections in use above which PostgreSQL is over threshold."""
    license_quota_ratio: float = 0.95
    """Share of a tenant's monthly licence used (checks / limit) above which it is flagged."""
    rne_balance_min: float = 1_000
    """RNE subscription balance under which a tenant is flagged."""
    idle_in_tx_age_s: float = 300.0
    """Age after which an idle-in-transaction session counts as old (5 minutes)."""
    long_query_s: float = 30.0
    """Duration after which a running query counts as long."""
    stale_factor: float = 2.0
    """Data older than this many refresh intervals is stale."""
    lag_rate_window_s: float = 300.0
    """Window of lag history used for the rate and trend (5 minutes)."""

    def __post_init__(self) -> None:
        for name in ("kafka_lag", "rne_balance_min", "idle_in_tx_age_s", "long_query_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"threshold {name} must be >= 0; got {getattr(self, name)}")
        for name in ("pg_usage_ratio", "license_quota_ratio"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"threshold {name} is a ratio: use a value in (0, 1]; got {value}")
        if self.stale_factor < 1:
            raise ValueError(f"stale_factor must be >= 1 refresh interval; got {self.stale_factor}")
        if self.lag_rate_window_s <= 0:
            raise ValueError(f"lag_rate_window_s must be > 0; got {self.lag_rate_window_s}")


DEFAULT_THRESHOLDS = Thresholds()
"""The catalog defaults."""
