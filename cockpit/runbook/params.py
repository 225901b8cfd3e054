"""Bind runbook parameters: find each value at its source, check it, remember where it came from."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cockpit.runbook.model import Param, Runbook, Step
from cockpit.sanitize import clean

MAX_VALUE_LEN = 256

# Checks each type adds on top of the runbook's own pattern, so that a loose pattern
# written by mistake still cannot let a quote, a space or a slash through for these types.
TYPE_SHAPES: dict[str, re.Pattern[str]] = {
    "int": re.compile(r"-?[0-9]{1,12}"),
    "duration": re.compile(r"([0-9]+(ms|s|m|h|d|w))+"),
    "tenant": re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}"),
    "k8s_name": re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"),
    "env_suffix": re.compile(r"[A-Z0-9_]{1,63}"),
}


@dataclass(frozen=True, slots=True)
class ParamIssue:
    """Why one parameter value was refused or is missing."""

    name: str
    message: str


class ParamError(ValueError):
    """Some parameter values were refused; nothing may run with them."""

    def __init__(self, issues: Iterable[ParamIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(i.message for i in self.issues))


@dataclass(frozen=True, slots=True)
class BoundParams:
    """Checked values by parameter name, where each came from, and what is still missing."""

    runbook: str
    values: Mapping[str, str] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    types: Mapping[str, str] = field(default_factory=dict)

    def for_step(self, step: Step) -> dict[str, str]:
        """The values `step` uses; ParamError if one of them has no value yet."""
        absent = [n for n in step.params if n not in self.values]
        if absent:
            raise ParamError(
                ParamIssue(n, f"parameter '{n}' has no value: type it or set a default")
                for n in absent
            )
        return {n: self.values[n] for n in step.params}

    def sql_args(self, step: Step) -> dict[str, str | int]:
        """Values for psycopg named placeholders; int parameters are passed as int."""
        values = self.for_step(step)
        return {n: int(v) if self.types.get(n) == "int" else v for n, v in values.items()}


def source_keys(
    labels: Mapping[str, str] | None = None,
    incident: Mapping[str, str] | None = None,
    operator: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Build the `sources` mapping of bind_params: label:NAME, incident:FIELD, operator:PARAM."""
    out = {f"label:{k}": v for k, v in (labels or {}).items()}
    out.update({f"incident:{k}": v for k, v in (incident or {}).items()})
    out.update({f"operator:{k}": v for k, v in (operator or {}).items()})
    return out


def bind_params(runbook: Runbook, sources: Mapping[str, str]) -> BoundParams:
    """Check every declared parameter of `runbook` against the values in `sources`.

    Keys of `sources` are `label:NAME`, `incident:FIELD` and `operator:PARAM` (see
    source_keys). A value typed by the operator wins, then the declared source, then the
    default. Any value that fails its pattern (full match) or type raises ParamError,
    naming each refused parameter; values that are simply absent are listed in `missing`.
    """
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    missing: list[str] = []
    issues: list[ParamIssue] = []
    for param in runbook.params:
        found = _lookup(param, sources)
        if found is None:
            missing.append(param.name)
            continue
        origin, value = found
        problem = check_value(param, value)
        if problem:
            issues.append(ParamIssue(param.name, f"{problem} (from {origin}); refused"))
            continue
        values[param.name] = value
        origins[param.name] = origin
    if issues:
        raise ParamError(issues)
    types = {p.name: p.type for p in runbook.params}
    return BoundParams(runbook.id, values, origins, tuple(missing), types)


def _lookup(param: Param, sources: Mapping[str, str]) -> tuple[str, str] | None:
    typed = sources.get(f"operator:{param.name}")
    if typed is not None:
        return "operator", typed
    if param.source.startswith(("label:", "incident:")):
        value = sources.get(param.source)
        if value is not None:
            return param.source, value
    if param.default is not None:
        return "default", param.default
    return None


def check_value(param: Param, value: object) -> str | None:
    """Why `value` is not acceptable for `param`, or None if it is."""
    shown = _show(value)
    if not isinstance(value, str):
        return f"parameter '{param.name}': {shown} is not text"
    if len(value) > MAX_VALUE_LEN:
        return f"parameter '{param.name}': value is longer than {MAX_VALUE_LEN} characters"
    if clean(value, single_line=True) != value:
        return f"parameter '{param.name}': {shown} contains control or invisible characters"
    if not re.fullmatch(param.pattern, value):
        return f"parameter '{param.name}': {shown} does not match the pattern {param.pattern}"
    shape = TYPE_SHAPES.get(param.type)
    if shape is not None and not shape.fullmatch(value):
        return f"parameter '{param.name}': {shown} is not a valid {param.type}"
    return None


def _show(value: object) -> str:
    return repr(clean(value, max_len=60, single_line=True))
