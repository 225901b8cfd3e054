"""Small text renderings shared by the panes: ages, counts, sparklines, gauges, trend arrows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

SPARK = "▁▂▃▄▅▆▇█"
"""Eight bar heights, lowest first."""
PARTIAL_BLOCKS = "▏▎▍▌▋▊▉"
"""Left-aligned eighths of a cell, for the fractional end of a gauge."""
ARROWS = {"rising": "↑", "falling": "↓", "flat": "→"}
DASH = "—"


def compact_age(seconds: float | None) -> str:
    """45s, 12m, 3h05m, 2d04h: short enough for a narrow column, exact enough at 3 a.m."""
    if seconds is None:
        return DASH
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3_600:
        return f"{s // 60}m"
    if s < 86_400:
        return f"{s // 3_600}h{s % 3_600 // 60:02d}m"
    return f"{s // 86_400}d{s % 86_400 // 3_600:02d}h"


def compact_interval(seconds: float) -> str:
    """A poll interval: 500ms, 2s, 1.5s, 1m."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:g}s"
    return compact_age(seconds)


def duration_words(seconds: float) -> str:
    """A threshold duration as people say it: `5 min`, `30 s`, `90 s`."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def thousands(value: float | None) -> str:
    """12,345 (rounded to a whole number); a dash when unknown."""
    return DASH if value is None else f"{round(value):,}"


def percent(ratio: float | None, digits: int = 0) -> str:
    """A ratio as `86 %` (or `98.1 %` with one digit); a dash when unknown."""
    return DASH if ratio is None else f"{ratio * 100:.{digits}f} %"


def signed_rate(rate: float, trend: str) -> str:
    """`↑ +1,200`: the arrow carries the judgement, the number the size."""
    return f"{ARROWS.get(trend, ARROWS['flat'])} {round(rate):+,}"


def sparkline(
    values: Sequence[float], width: int = 10, low: float | None = None, high: float | None = None
) -> str:
    """The last `width` values as bars scaled from min(0, lowest) (or `low`) to the highest.

    Scaling from zero keeps a flat but high series tall: a lag stuck at 50,000 must not look
    like an empty one.
    """
    recent = list(values[-width:]) if width > 0 else []
    if not recent:
        return ""
    if len(recent) == 1 and low is None and high is None:  # one poll so far: 2,000 groups
        only = recent[0]
        if 0 < only < math.inf:
            return SPARK[-1]
        if -math.inf < only <= 0:
            return SPARK[0]
    lo = min(0.0, *recent) if low is None else low
    hi = max(recent) if high is None else high
    span = hi - lo
    if span <= 0:
        return SPARK[0] * len(recent)
    top = len(SPARK) - 1
    return "".join(SPARK[min(top, max(0, round((v - lo) / span * top)))] for v in recent)


def gauge(ratio: float | None, width: int, mark: float) -> str:
    """A one-line bar `width` cells wide with `|` at the `mark` ratio (the alert line).

    The mark is always drawn, even inside the filled part, so the line stays visible.
    """
    if width <= 0:
        return ""
    cells = 0.0 if ratio is None else min(max(ratio, 0.0), 1.0) * width
    full = int(cells)
    eighths = int((cells - full) * 8)
    mark_at = min(width - 1, max(0, round(mark * width)))
    return _bar(width, full, eighths, mark_at)


@lru_cache(maxsize=2048)
def _bar(width: int, full: int, eighths: int, mark_at: int) -> str:
    """The gauge's characters (a few hundred shapes: 5,000 tenants draw each many times)."""
    chars = []
    for i in range(width):
        if i == mark_at:
            chars.append("|")
        elif i < full:
            chars.append("█")
        elif i == full and eighths:
            chars.append(PARTIAL_BLOCKS[eighths - 1])
        else:
            chars.append("·")
    return "".join(chars)
