"""Impact figures from the PromQL queries of `[export.impact]`, over the incident window."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cockpit.domain.when import Window
from cockpit.sanitize import clean
from cockpit.settings.errors import ConfigError
from cockpit.settings.secrets import Secret, redact

if TYPE_CHECKING:
    from cockpit.settings.model import Settings

WINDOW = "$window"
TEAM = "[team] to fill in"
LABELS = {
    "kyc_checks": "KYC checks impacted",
    "declarations": "TCR declarations impacted",
    "sla_breaches": "SLA breaches",
}

Runner = Callable[[str, datetime], Any]
"""Runs an instant query at a time; returns the API's `data.result` (raises on failure)."""


class QueryFailed(Exception):
    """A configured query gave no usable number; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class QueriedFigure:
    """One figure as the post-mortem prints it: a number from Prometheus, or why not."""

    name: str
    value: float | None
    text: str


def evaluate(queries: Mapping[str, str], window: Window, run: Runner) -> dict[str, QueriedFigure]:
    """Each configured query with `$window` set to the window's length, evaluated at its
    end. A failure is written as such: never a number that was not measured."""
    span = f"{max(1, math.ceil(window.seconds))}s"
    figures: dict[str, QueriedFigure] = {}
    for name, query in queries.items():
        try:
            value = _one_number(run(query.replace(WINDOW, span), window.end))
        except QueryFailed as err:
            text = f"the configured query failed ({err}); {TEAM}"
            figures[name] = QueriedFigure(name, None, text)
            continue
        figures[name] = QueriedFigure(name, value, f"{number_text(value)} (Prometheus)")
    return figures


def not_evaluated(queries: Mapping[str, str], why: str) -> dict[str, QueriedFigure]:
    """The configured figures, each saying why its query was not run."""
    return {
        name: QueriedFigure(name, None, f"query not evaluated ({why}); {TEAM}") for name in queries
    }


def number_text(value: float) -> str:
    """`1 234` for a whole number, `12.5` otherwise (spaces group thousands)."""
    if abs(value - round(value)) < 1e-6:
        return f"{round(value):,}".replace(",", " ")
    return f"{value:,.2f}".replace(",", " ")


def _one_number(result: Any) -> float:
    if isinstance(result, list) and len(result) == 2 and not isinstance(result[0], dict):
        raw: Any = result[1]  # a scalar: [time, "value"]
    elif isinstance(result, list):
        if not result:
            raise QueryFailed("no series in the window: nothing says it was zero")
        if len(result) > 1:
            raise QueryFailed(f"{len(result)} series; wrap the query in sum(...)")
        entry = result[0]
        pair = entry.get("value") if isinstance(entry, dict) else None
        if not (isinstance(pair, list) and len(pair) == 2):
            raise QueryFailed("not an instant vector")
        raw = pair[1]
    else:
        raise QueryFailed("not an instant vector")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise QueryFailed(f"not a number: {clean(raw, single_line=True, max_len=40)}") from None
    if not math.isfinite(value):
        raise QueryFailed(f"the value is {value}")
    return value


def prometheus_runner(
    url: str,
    headers: Mapping[str, str],
    *,
    verify_tls: bool,
    ca_file: str | None,
    timeout_s: float,
) -> tuple[Runner, Callable[[], None]]:
    """A runner querying `url` (one attempt each, `timeout_s`), and how to close it."""
    from cockpit.clients.prometheus_range import failure, make_range_client

    client = make_range_client(
        url, headers=headers, verify_tls=verify_tls, ca_file=ca_file, timeout_s=timeout_s
    )

    def run(query: str, at: datetime) -> Any:
        params = {"time": f"{at.timestamp():.3f}", "timeout": f"{timeout_s:g}s"}
        try:
            return client.custom_query(query, params=params)
        except Exception as exc:
            found = failure(exc)
            if found is None:
                raise
            kind, detail = found
            shown = {
                "answer": "the answer is not a Prometheus API answer",
                "timeout": f"no answer within {timeout_s:g} s",
                "connect": "Prometheus unreachable",
            }.get(kind, redact(clean(detail, single_line=True, max_len=200)))
            raise QueryFailed(shown) from None

    return run, client.close


Impact = Callable[[Window], dict[str, QueriedFigure]]
"""Evaluates the configured figures over a window."""


def from_settings(settings: Settings, environ: Mapping[str, str]) -> Impact | None:
    """The configured impact figures, evaluated against the active environment's Prometheus;
    None when no query is configured."""
    impact = settings.config.export.impact
    queries = impact.configured()
    if not queries:
        return None
    prom = settings.active.prometheus
    if prom.url is None:
        return lambda _window: not_evaluated(queries, "no [prometheus] url in the config")
    try:
        headers = {
            k: h.reveal() if isinstance(h, Secret) else h
            for k, h in prom.resolved_headers(environ).items()
        }
    except ConfigError as err:
        why = redact(clean(str(err), single_line=True, max_len=200))
        return lambda _window: not_evaluated(queries, why)
    url = str(prom.url)

    def measure(window: Window) -> dict[str, QueriedFigure]:
        run, close = prometheus_runner(
            url,
            headers,
            verify_tls=prom.verify_tls,
            ca_file=str(prom.ca_file) if prom.ca_file else None,
            timeout_s=impact.timeout_seconds,
        )
        try:
            return evaluate(queries, window, run)
        finally:
            close()

    return measure
