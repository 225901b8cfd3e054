"""Unknown keys: drop them before validation and suggest the closest known key (difflib)."""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from cockpit.settings.lite import Table


@dataclass(frozen=True, slots=True)
class UnknownKey:
    """A key no table declares, with the closest known key when one is near enough."""

    path: tuple[str, ...]
    suggestion: str | None

    def describe(self) -> str:
        """One line, e.g. `unknown key [prometheus] ulr (did you mean url?); ignored`."""
        table = ".".join(self.path[:-1])
        where = f"[{table}] " if table else ""
        hint = f" (did you mean {self.suggestion}?)" if self.suggestion else ""
        return f"unknown key {where}{self.path[-1]}{hint}; ignored"


def _model_in(annotation: Any) -> type[Table] | None:
    """The model class inside `Model` or `Model | None`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, Table):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _dict_of_models(annotation: Any) -> type[Table] | None:
    """The value model of `dict[str, Model]`, if that is the annotation."""
    if get_origin(annotation) is dict:
        args = get_args(annotation)
        if len(args) == 2:
            return _model_in(args[1])
    return None


def prune_unknown(
    data: Mapping[str, Any],
    model: type[Table],
    skip: frozenset[tuple[str, ...]] = frozenset(),
    path: tuple[str, ...] = (),
) -> tuple[dict[str, Any], list[UnknownKey]]:
    """Return `data` without the keys `model` does not declare, and the keys dropped.

    Paths in `skip` are dropped silently (they are already reported as errors).
    Values of the wrong shape are kept for the model to report as type errors.
    """
    kept: dict[str, Any] = {}
    unknown: list[UnknownKey] = []
    fields = model.model_fields
    for key, value in data.items():
        here = (*path, key)
        field = fields.get(key)
        if field is None:
            if here not in skip:
                close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                unknown.append(UnknownKey(here, close[0] if close else None))
            continue
        inner = _model_in(field.annotation)
        values_model = _dict_of_models(field.annotation)
        if inner is not None and isinstance(value, dict):
            value, found = prune_unknown(value, inner, skip, here)
            unknown.extend(found)
        elif values_model is not None and isinstance(value, dict):
            pruned: dict[str, Any] = {}
            for name, item in value.items():
                if isinstance(item, dict):
                    item, found = prune_unknown(item, values_model, skip, (*here, name))
                    unknown.extend(found)
                pruned[name] = item
            value = pruned
        kept[key] = value
    return kept, unknown
