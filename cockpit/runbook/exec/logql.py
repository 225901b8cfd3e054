"""`logql` steps: range or instant log queries over Loki's HTTP API, with a deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from cockpit.runbook.exec.base import Plan, StepFailure, StepResult, StepTargets, seconds, table
from cockpit.runbook.exec.promql import render
from cockpit.runbook.model import Step
from cockpit.sanitize import clean

LIMIT = 200
"""Lines asked for: the newest first, as an engineer reads a log during an incident."""
LINE_MAX = 400


@dataclass(frozen=True, slots=True)
class LokiCall:
    """A query ready to send: label values escaped (LogQL strings escape like PromQL's)."""

    query: str
    range_s: float | None


def plan(step: Step, values: Mapping[str, str]) -> Plan:
    """The query as it will be sent."""
    query = render(str(step.spec), values)
    range_s = seconds(step.range) if step.range else None
    head = f"log query over the last {step.range}" if step.range else "instant log query"
    return Plan("logql", f"{head}:\n{query}", LokiCall(query, range_s))


def run(call: LokiCall, targets: StepTargets, deadline_s: float) -> StepResult:
    """Send the query; the whole call is bounded by `deadline_s`."""
    if not targets.loki_url:
        raise StepFailure("no Loki configured: set [loki] url in the config")
    base = targets.loki_url.rstrip("/")
    now = targets.clock.now()
    params: dict[str, str] = {"query": call.query, "limit": str(LIMIT), "direction": "backward"}
    path = "/loki/api/v1/query"
    if call.range_s:
        path = "/loki/api/v1/query_range"
        params.update(start=_ns(now - timedelta(seconds=call.range_s)), end=_ns(now))
    else:
        params["time"] = _ns(now)
    try:
        with httpx.Client(timeout=deadline_s) as client:
            reply = client.get(base + path, params=params)
    except httpx.TimeoutException as exc:
        raise StepFailure(f"Loki did not answer within {deadline_s:.0f}s", "timeout") from exc
    except httpx.HTTPError as exc:
        raise StepFailure(f"Loki request failed: {clean(exc, max_len=200)}") from exc
    try:
        body: Any = reply.json()
    except ValueError:
        body = None
    if reply.status_code != 200 or not isinstance(body, dict) or body.get("status") != "success":
        # Loki answers errors as plain text (a parse error names the position).
        why = reply.text if not isinstance(body, dict) else body.get("error", reply.text)
        raise StepFailure(f"Loki refused the query: {clean(why, max_len=200, single_line=True)}")
    return _rows(body.get("data") or {})


def _ns(when: datetime) -> str:
    return str(int(when.timestamp() * 1_000_000_000))


def _stamp(ns: object) -> str:
    try:
        when = datetime.fromtimestamp(int(str(ns)) / 1e9, UTC)
    except (ValueError, OverflowError, OSError):
        return clean(ns, max_len=30, single_line=True)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"


def _labels(stream: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(stream.items())) or "{}"


def _rows(data: Mapping[str, Any]) -> StepResult:
    kind = data.get("resultType")
    result = data.get("result") or []
    if kind != "streams":
        # A metric query (count_over_time, rate): series and their last value.
        rows = []
        for s in result:
            points = s.get("values") or ([s["value"]] if s.get("value") else [])
            rows.append([_labels(s.get("metric") or {}), points[-1][1] if points else ""])
        return table(f"{len(rows)} series", ["series", "value"], rows)
    lines: list[tuple[str, str, str]] = []
    for stream in result:
        labels = _labels(stream.get("stream") or {})
        for entry in stream.get("values") or []:
            if isinstance(entry, list | tuple) and len(entry) >= 2:
                lines.append((str(entry[0]), labels, str(entry[1])))
    lines.sort(key=lambda item: int(item[0]) if item[0].isdigit() else 0, reverse=True)
    rows = [[_stamp(ts), labels, clean(line, max_len=LINE_MAX, single_line=True)]
            for ts, labels, line in lines]  # fmt: skip
    streams = len(result)
    return table(f"{len(rows)} line(s) from {streams} stream(s), newest first",
                 ["time", "stream", "line"], rows)  # fmt: skip
