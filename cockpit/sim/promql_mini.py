"""A tiny PromQL evaluator: instant selectors, aggregations, arithmetic and comparisons."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cockpit.sim.promql_parse import (
    COMPARISONS,
    Aggregate,
    Binary,
    Call,
    Node,
    Number,
    PromQLError,
    Selector,
    compiled,
    parse,
)

__all__ = ["PromQLError", "Result", "Series", "evaluate", "format_value"]

NAME = "__name__"
_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": lambda a, b: a / b if b else (math.copysign(math.inf, a) if a else math.nan),
    "%": lambda a, b: math.fmod(a, b) if b else math.nan,
}
_CMP: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


@dataclass(frozen=True, slots=True)
class Series:
    """One sample of an instant vector; `labels` includes `__name__` for raw series."""

    labels: Mapping[str, str]
    value: float


@dataclass(frozen=True, slots=True)
class Result:
    """A query result: a scalar, or a vector (`ordered` when sort() fixed its order)."""

    scalar: float | None
    vector: tuple[Series, ...] = ()
    ordered: bool = False

    def to_data(self, ts: float) -> dict[str, Any]:
        """The `data` object of a Prometheus instant-query answer, evaluated at `ts`."""
        if self.scalar is not None:
            return {"resultType": "scalar", "result": [ts, format_value(self.scalar)]}
        items = self.vector if self.ordered else sorted(self.vector, key=_sort_key)
        result = [{"metric": dict(s.labels), "value": [ts, format_value(s.value)]} for s in items]
        return {"resultType": "vector", "result": result}


def _sort_key(series: Series) -> list[tuple[str, str]]:
    return sorted(series.labels.items())


def format_value(value: float) -> str:
    """Prometheus' sample value formatting: shortest form, +Inf/-Inf/NaN spelled out."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def evaluate(query: str, store: Mapping[str, Sequence[Series]]) -> Result:
    """Evaluate `query` against `store` (metric name -> series); PromQLError when unsupported."""
    value = _eval(parse(query), store)
    if isinstance(value, float):
        return Result(value)
    ordered = isinstance(value, _Sorted)
    return Result(None, tuple(value), ordered)


class _Sorted(list[Series]):
    """A vector whose order was set by sort()/sort_desc() and must be kept."""


Value = float | list[Series]


def _eval(node: Node, store: Mapping[str, Sequence[Series]]) -> Value:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Selector):
        return _select(node, store)
    if isinstance(node, Aggregate):
        return _aggregate(node, _vector(_eval(node.expr, store), node.op))
    if isinstance(node, Call):
        arg = _vector(_eval(node.arg, store), node.name)
        if node.name == "abs":
            return [Series(_drop_name(s.labels), abs(s.value)) for s in arg]
        ordered = sorted(arg, key=lambda s: s.value, reverse=node.name == "sort_desc")
        return _Sorted(ordered)
    return _binary(node, _eval(node.lhs, store), _eval(node.rhs, store))


def _vector(value: Value, where: str) -> list[Series]:
    if isinstance(value, float):
        raise PromQLError(f"expected an instant vector in {where}(), got a scalar")
    return value


def _select(node: Selector, store: Mapping[str, Sequence[Series]]) -> list[Series]:
    name = next((m.value for m in node.matchers if m.name == NAME and m.op == "="), None)
    pool: Iterable[Series] = (
        store.get(name, ()) if name is not None else (s for ss in store.values() for s in ss)
    )
    out: list[Series] = []
    for series in pool:
        for m in node.matchers:
            have = series.labels.get(m.name, "")
            if m.op in ("=", "!="):
                ok = (have == m.value) == (m.op == "=")
            else:
                ok = (compiled(m.value).fullmatch(have) is not None) == (m.op == "=~")
            if not ok:
                break
        else:
            out.append(series)
    return out


def _aggregate(node: Aggregate, vector: list[Series]) -> list[Series]:
    groups: dict[tuple[tuple[str, str], ...], list[float]] = {}
    for series in vector:
        if node.without:
            drop = {*node.labels, NAME}
            key = tuple(sorted((k, v) for k, v in series.labels.items() if k not in drop))
        else:
            key = tuple(sorted((k, series.labels[k]) for k in node.labels if series.labels.get(k)))
        groups.setdefault(key, []).append(series.value)
    reduce: dict[str, Callable[[list[float]], float]] = {
        "sum": math.fsum,
        "max": max,
        "min": min,
        "avg": lambda xs: math.fsum(xs) / len(xs),
        "count": lambda xs: float(len(xs)),
    }
    return [Series(dict(key), float(reduce[node.op](values))) for key, values in groups.items()]


def _drop_name(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k != NAME}


def _binary(node: Binary, lhs: Value, rhs: Value) -> Value:
    compare = node.op in COMPARISONS
    if isinstance(lhs, float) and isinstance(rhs, float):
        if compare and not node.bool_:
            raise PromQLError("comparisons between scalars must use the bool modifier")
        return _apply(node, lhs, rhs)
    if isinstance(lhs, float) or isinstance(rhs, float):
        out: list[Series] = []
        for series in lhs if isinstance(lhs, list) else rhs:  # type: ignore[union-attr]
            a = lhs if isinstance(lhs, float) else series.value
            b = rhs if isinstance(rhs, float) else series.value
            if compare and not node.bool_:
                if _CMP[node.op](a, b):
                    out.append(series)
            else:
                out.append(Series(_drop_name(series.labels), _apply(node, a, b)))
        return out
    return _match(node, lhs, rhs)


def _apply(node: Binary, a: float, b: float) -> float:
    if node.op in COMPARISONS:
        return 1.0 if _CMP[node.op](a, b) else 0.0
    return float(_ARITH[node.op](a, b))


def _match(node: Binary, lhs: list[Series], rhs: list[Series]) -> list[Series]:
    """One-to-one vector matching, labels per Prometheus' resultMetric."""
    is_on, names = node.on if node.on is not None else (False, ())

    def signature(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        if is_on:
            return tuple(sorted((k, v) for k, v in labels.items() if k in names))
        return tuple(sorted((k, v) for k, v in labels.items() if k != NAME and k not in names))

    right: dict[tuple[tuple[str, str], ...], Series] = {}
    for series in rhs:
        sig = signature(series.labels)
        if sig in right:
            raise PromQLError("found duplicate series for the match group on the right side")
        right[sig] = series
    out: list[Series] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    for series in lhs:
        sig = signature(series.labels)
        other = right.get(sig)
        if other is None:
            continue
        if sig in seen:
            raise PromQLError("many-to-many matching not allowed: use on() with unique labels")
        seen.add(sig)
        keep_name = node.op in COMPARISONS and not node.bool_
        if keep_name and not _CMP[node.op](series.value, other.value):
            continue
        value = series.value if keep_name else _apply(node, series.value, other.value)
        labels = dict(series.labels) if keep_name else _drop_name(series.labels)
        if node.on is not None:
            labels = {k: v for k, v in labels.items() if (k in names) == is_on}
        out.append(Series(labels, value))
    return out
