"""Hypothesis strategies for the JSON data a log line carries, with the numbers that tell
JSON libraries apart (big integers, denormals, negative zero, 19-digit runs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from cockpit.clock import FrozenClock
from cockpit.log.store import IncidentLog

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)

EDGE_NUMBERS = (1e16, 1e-7, -0.0, 5e-324, 1.5e300, 123456789.125,
                2**63, 2**64, -(2**63) - 1, 10**19)  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(EDGE_NUMBERS)
    | st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
datas = st.dictionaries(st.text(max_size=8), values, max_size=5)
"""An event's `data`: a JSON object of any nesting."""


def write_rows(
    path: Path, rows: list[tuple[str, dict[str, Any]]], key: bytes | None = None
) -> None:
    """A fresh log at `path` holding `rows` (type, data), a quarter second apart from T0."""
    path.unlink(missing_ok=True)
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock, key=key, host="h", user="u")
    with log:
        for type_, data in rows:
            clock.advance(0.25)
            log.append_data(type_, data)
