"""`promql` steps: instant or range queries over the Prometheus HTTP API, with a deadline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from cockpit.clock import rfc3339
from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec.base import Plan, StepFailure, StepResult, StepTargets, seconds, table
from cockpit.runbook.model import Step
from cockpit.sanitize import clean

POINTS = 60
"""Samples per series in a range query: a small chart's worth."""


@dataclass(frozen=True, slots=True)
class PromCall:
    """A query ready to send: the text with escaped values, and the range window if any."""

    query: str
    range_s: float | None


def escape_label_value(value: str) -> str:
    """Escape a value for a double-quoted PromQL string (backslash, quote, newline)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(text: str, values: Mapping[str, str]) -> str:
    """The query with every {{ name }} replaced by its escaped value."""
    return PLACEHOLDER.sub(lambda m: escape_label_value(values[m.group(1)]), text)


def plan(step: Step, values: Mapping[str, str]) -> Plan:
    """The query as it will be sent."""
    query = render(str(step.spec), values)
    range_s = seconds(step.range) if step.range else None
    head = f"range query over {step.range}" if step.range else "instant query"
    return Plan("promql", f"{head}:\n{query}", PromCall(query, range_s))


def run(call: PromCall, targets: StepTargets, deadline_s: float) -> StepResult:
    """Send the query; the whole call is bounded by `deadline_s`."""
    if not targets.prometheus_url:
        raise StepFailure("no Prometheus configured: set [prometheus] url in the config")
    base = targets.prometheus_url.rstrip("/")
    now = targets.clock.now()
    params: dict[str, str] = {"query": call.query, "timeout": f"{max(1, int(deadline_s))}s"}
    path = "/api/v1/query"
    if call.range_s:
        path = "/api/v1/query_range"
        params.update(
            start=rfc3339(now - timedelta(seconds=call.range_s)),
            end=rfc3339(now),
            step=f"{max(1.0, call.range_s / POINTS):.0f}s",
        )
    else:
        params["time"] = rfc3339(now)
    try:
        with httpx.Client(timeout=deadline_s) as client:
            reply = client.get(base + path, params=params)
        body: Any = reply.json()
    except httpx.TimeoutException as exc:
        raise StepFailure(f"Prometheus did not answer within {deadline_s:.0f}s", "timeout") from exc
    except (httpx.HTTPError, ValueError) as exc:
        raise StepFailure(f"Prometheus request failed: {clean(exc, max_len=200)}") from exc
    if not isinstance(body, dict) or body.get("status") != "success":
        error = body.get("error", reply.text) if isinstance(body, dict) else reply.text
        raise StepFailure(f"Prometheus refused the query: {clean(error, max_len=200)}")
    return _rows(body["data"], [clean(w, max_len=200) for w in body.get("warnings", [])])


def _labels(metric: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(metric.items())) or "{}"


def _rows(data: Mapping[str, Any], warnings: list[str]) -> StepResult:
    kind = data.get("resultType")
    result = data.get("result")
    note = f" (warnings: {'; '.join(warnings)})" if warnings else ""
    if kind == "scalar" or kind == "string":
        return table(f"1 value{note}", ["value"], [[result[1] if result else ""]])
    series: list[Any] = list(result or [])
    if kind == "vector":
        rows = [[_labels(s.get("metric", {})), s["value"][1]] for s in series]
        return table(f"{len(rows)} series{note}", ["series", "value"], rows)
    rows = []
    for s in series:
        values = [float(v) for _t, v in s.get("values", [])]
        finite = [v for v in values if math.isfinite(v)] or values
        if values:
            rows.append([_labels(s.get("metric", {})), _num(values[-1]), _num(min(finite)),
                         _num(max(finite)), _spark(values)])  # fmt: skip
    return table(f"{len(rows)} series{note}", ["series", "last", "min", "max", "trend"], rows)


def _num(value: float) -> str:
    return f"{value:.4g}"


_BARS = "▁▂▃▄▅▆▇█"


def _spark(values: list[float]) -> str:
    """A 20-character sparkline of the series: the small chart the table can hold."""
    step = max(1, len(values) // 20)
    picked = [v for v in values[::step][-20:] if math.isfinite(v)]
    if not picked:
        return ""
    low, high = min(picked), max(picked)
    span = (high - low) or 1.0
    return "".join(_BARS[int((v - low) / span * (len(_BARS) - 1))] for v in picked)
