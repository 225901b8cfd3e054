"""Threshold defaults and validation; the SEV/P severity scale."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.domain.severity import (
    UNKNOWN_RANK,
    is_severity,
    most_severe,
    normalise_severity,
    severity_rank,
)
from cockpit.domain.thresholds import Thresholds


def test_defaults_follow_the_catalog() -> None:
    t = Thresholds()
    assert (t.kafka_lag, t.pg_usage_ratio, t.license_quota_ratio) == (10_000, 0.85, 0.95)
    assert (t.rne_balance_min, t.idle_in_tx_age_s, t.long_query_s, t.stale_factor) == (
        1_000, 300.0, 30.0, 2.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "hint"),
    [
        ("pg_usage_ratio", 85, "(0, 1]"),
        ("license_quota_ratio", 0, "(0, 1]"),
        ("kafka_lag", -1, ">= 0"),
        ("stale_factor", 0.5, ">= 1"),
        ("lag_rate_window_s", 0, "> 0"),
    ],
)
def test_bad_thresholds_say_what_to_fix(field: str, value: Any, hint: str) -> None:
    with pytest.raises(ValueError, match=field) as info:
        Thresholds(**{field: value})
    assert hint in str(info.value)
    assert "\n" not in str(info.value)


def test_sev_and_p_scales_line_up() -> None:
    assert [severity_rank(s) for s in ("SEV-1", "P0", "sev2", "p1", "SEV 3", "P3")] == [
        0, 0, 1, 1, 2, 3,
    ]  # fmt: skip
    assert severity_rank("critical") == UNKNOWN_RANK
    assert severity_rank(None) == UNKNOWN_RANK
    assert severity_rank("SEV-0") == UNKNOWN_RANK
    assert normalise_severity(" sev_4 ") == "SEV-4"
    assert normalise_severity("p2") == "P2"
    assert not is_severity("warning")
    assert most_severe(["SEV-3", "x", "P1", "SEV-2"]) == "P1"
    assert most_severe([]) is None


@given(st.integers(1, 9), st.integers(0, 9))
def test_rank_orders_both_schemes(sev: int, prio: int) -> None:
    assert severity_rank(f"SEV-{sev}") == sev - 1
    assert severity_rank(f"P{prio}") == prio
    assert (severity_rank(f"SEV-{sev}") < severity_rank(f"P{prio}")) == (sev - 1 < prio)
