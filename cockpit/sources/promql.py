"""Prometheus HTTP API v1 over httpx: instant queries and the alerts list, warnings kept."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Unpack

from cockpit.sanitize import clean
from cockpit.sources._http import HttpJson, HttpOptions
from cockpit.sources._values import labels
from cockpit.sources.base import SourceError

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


@dataclass(frozen=True, slots=True)
class Sample:
    """One element of an instant vector: its labels (sanitised) and the raw value string."""

    labels: Mapping[str, str]
    value: object


def escape_label_value(value: str) -> str:
    """Escape a string for use inside a double-quoted PromQL label matcher."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def check_metric_name(name: str) -> str:
    """Return `name` if it is a valid metric name, else raise SourceError("config")."""
    if not _METRIC_NAME.fullmatch(name):
        raise SourceError("config", f"not a Prometheus metric name: {clean(name)!r}")
    return name


class PrometheusApi:
    """The few Prometheus endpoints the cockpit reads, each a single GET within the deadline."""

    def __init__(
        self,
        url: str,
        **http: Unpack[HttpOptions],
    ) -> None:
        self.http = HttpJson(url, **http)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self.http.aclose()

    async def query(self, promql: str) -> tuple[list[Sample], list[str]]:
        """Run an instant query; return its samples and the server's warnings (sanitised)."""
        # Ask Prometheus to give up at our deadline too, so an abandoned query stops costing.
        params = {"query": promql, "timeout": f"{self.http.timeout_s:g}s"}
        return await self.http.get_json("api/v1/query", params, parse_vector)

    async def query_all(self, queries: list[str]) -> list[tuple[list[Sample], list[str]]]:
        """Run several instant queries in parallel under ONE deadline (not one each).

        The first failure cancels the others and is raised as is.
        """
        try:
            async with asyncio.timeout(self.http.timeout_s):
                return await self._gather(queries)
        except TimeoutError:
            raise SourceError(
                "timeout",
                f"{len(queries)} queries to {self.http.where} took over {self.http.timeout_s:g} s",
            ) from None

    async def _gather(self, queries: list[str]) -> list[tuple[list[Sample], list[str]]]:
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self.query(q)) for q in queries]
        except BaseExceptionGroup as failures:
            first = next((e for e in failures.exceptions if isinstance(e, SourceError)), None)
            if first is None:
                raise
            raise first from None
        return [task.result() for task in tasks]


def parse_vector(body: Any) -> tuple[list[Sample], list[str]]:
    """An instant-query answer as samples plus warnings (pure: may run in a worker thread)."""
    data, warnings = unwrap(body)
    if not isinstance(data, dict):
        raise SourceError("parse", "query answer without a data object")
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return [Sample({}, result[1])], warnings
    if kind != "vector" or not isinstance(result, list):
        raise SourceError("parse", f"expected an instant vector, got {clean(kind)!r}")
    samples: list[Sample] = []
    for entry in result:
        # json.loads only builds dict and list: exact type checks are much cheaper than ABCs.
        if type(entry) is not dict:
            continue
        metric = entry.get("metric")
        pair = entry.get("value")
        if type(metric) is dict and type(pair) is list and len(pair) == 2:
            samples.append(Sample(labels(metric) or {}, pair[1]))
    if len(samples) < len(result):
        warnings.append(f"{len(result) - len(samples)} malformed series ignored")
    return samples, warnings


def unwrap(body: Any) -> tuple[Any, list[str]]:
    """Check the API envelope and split it into data and warnings."""
    if not isinstance(body, Mapping):
        raise SourceError("parse", "answer is not a Prometheus API object")
    if body.get("status") != "success":
        kind = clean(body.get("errorType", "error"), single_line=True, max_len=40)
        text = clean(body.get("error", "no detail"), single_line=True, max_len=200)
        raise SourceError("http", f"Prometheus {kind}: {text}")
    raw = body.get("warnings")
    warnings = (
        [clean(w, single_line=True, max_len=300) for w in raw[:10]] if isinstance(raw, list) else []
    )
    return body.get("data"), warnings
