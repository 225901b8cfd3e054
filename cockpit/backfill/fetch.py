"""Range queries through prometheus-api-client, checked and indexed by sample time."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cockpit.domain.when import Window
from cockpit.sanitize import clean
from cockpit.settings.secrets import redact
from cockpit.sources import _values as v
from cockpit.sources.promql import Sample

if TYPE_CHECKING:
    from prometheus_api_client import PrometheusConnect

MAX_POINTS = 11_000
"""Prometheus refuses a range query of more points per series than this."""
_USERINFO = re.compile(r"//[^/@]*@")


class BackfillError(Exception):
    """The backfill cannot go on; the message says what is wrong and how to fix it."""


Matrix = dict[int, list[Sample]]
"""One query's answer: unix second -> the samples (an instant vector) at that step."""


@dataclass(frozen=True, slots=True)
class Grid:
    """The steps evaluated: `start`, `start + step`, ... up to `end` (whole seconds)."""

    start: int
    end: int
    step: int

    @classmethod
    def over(cls, window: Window, step_s: int) -> Grid:
        """The grid of `window` at `step_s` (BackfillError when it has too many points)."""
        # Whole seconds inside the window: no sample before the header (written at its start).
        start, end = math.ceil(window.start.timestamp()), math.floor(window.end.timestamp())
        if end < start:
            raise BackfillError(f"the window {window.describe()} holds no whole second")
        points = (end - start) // step_s + 1
        if points > MAX_POINTS:
            raise BackfillError(
                f"{points} steps of {step_s}s in the window; Prometheus allows {MAX_POINTS} "
                f"per query: raise --step to at least {-(-(end - start) // (MAX_POINTS - 1))}s"
            )
        return cls(start, end, step_s)

    def times(self) -> list[int]:
        """Every step, in order."""
        return list(range(self.start, self.end + 1, self.step))

    @staticmethod
    def at(second: int) -> datetime:
        """A step as a UTC datetime."""
        return datetime.fromtimestamp(second, UTC)


def public_url(url: str) -> str:
    """`url` without credentials, for the header and messages."""
    return _USERINFO.sub("//", url)


def fetch(client: PrometheusConnect, query: str, grid: Grid) -> Matrix:
    """Run `query` over the grid; BackfillError naming the query and the cause."""
    from cockpit.clients.prometheus_range import failure

    where = public_url(str(client.url))
    try:
        result = client.custom_query_range(
            query, Grid.at(grid.start), Grid.at(grid.end), f"{grid.step}s"
        )
    except Exception as exc:
        found = failure(exc)
        if found is None:
            raise
        raise BackfillError(_message(found, where, query)) from None
    return _matrix(result, query, where)


def _message(found: tuple[str, str], where: str, query: str) -> str:
    kind, detail = found
    detail = redact(clean(detail, single_line=True, max_len=300))
    if kind == "answer":
        return (
            f"{where} did not answer like a Prometheus API for {query!r} "
            "(is [prometheus] url the Prometheus server, not a UI or a proxy page?)"
        )
    if kind == "timeout":
        return (
            f"{where}: no answer within the timeout for {query!r}; raise [prometheus] "
            "timeout_seconds or shorten the window"
        )
    if kind == "connect":
        return f"cannot reach Prometheus at {where}: {detail}; check [prometheus] url"
    if kind == "refused":
        return f"{where} refused {query!r}: {detail}"
    return f"{where}: request failed for {query!r}: {detail}"


def _matrix(result: Any, query: str, where: str) -> Matrix:
    if not isinstance(result, list):
        raise BackfillError(f"{where}: the answer to {query!r} is not a range vector")
    out: Matrix = {}
    for series in result:
        metric = series.get("metric") if isinstance(series, Mapping) else None
        values = series.get("values") if isinstance(series, Mapping) else None
        found = v.labels(metric)
        if found is None or not isinstance(values, list):
            raise BackfillError(f"{where}: the answer to {query!r} has a malformed series")
        for pair in values:
            if not (isinstance(pair, list) and len(pair) == 2 and _number(pair[0])):
                raise BackfillError(f"{where}: the answer to {query!r} has a malformed sample")
            out.setdefault(round(float(pair[0])), []).append(Sample(found, pair[1]))
    return out


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
