"""Constraints of the lite tables: numeric bounds, lengths and patterns, pydantic's messages."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from cockpit.settings.liteerrors import Loc, Run
from cockpit.settings.litetypes import FieldInfo

Bounds = Callable[[Any, Any, Run, Loc], Any]
"""Check a value already of the right type (`raw` is the input, shown in number errors)."""

# pydantic's order, which decides the message for nan (that fails every bound).
_NUMERIC = (
    ("less_than_equal", "le", operator.le, "less than or equal to"),
    ("less_than", "lt", operator.lt, "less than"),
    ("greater_than_equal", "ge", operator.ge, "greater than or equal to"),
    ("greater_than", "gt", operator.gt, "greater than"),
)


def plural(count: int, word: str) -> str:
    """`1 character`, `2 characters`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def bounds(info: FieldInfo) -> Bounds:
    """The check of `info`'s constraints on a string, a number or a dict."""
    pattern = re.compile(info.pattern) if info.pattern is not None else None

    def check(value: Any, raw: Any, run: Run, loc: Loc) -> Any:
        if isinstance(value, str):
            if info.min_length is not None and len(value) < info.min_length:
                msg = f"String should have at least {plural(info.min_length, 'character')}"
                return run.fail(
                    "string_too_short", loc, msg, value, {"min_length": info.min_length}
                )
            if info.max_length is not None and len(value) > info.max_length:
                msg = f"String should have at most {plural(info.max_length, 'character')}"
                return run.fail("string_too_long", loc, msg, value, {"max_length": info.max_length})
            if pattern is not None and not pattern.search(value):
                msg = f"String should match pattern '{info.pattern}'"
                return run.fail(
                    "string_pattern_mismatch", loc, msg, value, {"pattern": info.pattern}
                )
            return value
        if isinstance(value, dict):
            return length(info, value, run, loc, "Dictionary")
        for kind, name, holds, words in _NUMERIC:
            limit = getattr(info, name)
            if limit is not None and not holds(value, limit):
                return run.fail(kind, loc, f"Input should be {words} {limit}", raw, {name: limit})
        return value

    return check


def length(info: FieldInfo, value: Any, run: Run, loc: Loc, kind: str) -> Any:
    """`value` (a list, tuple or dict; `kind` names it) within the min and max lengths."""
    size = len(value)
    ctx: dict[str, Any] = {"field_type": kind, "actual_length": size}
    if info.min_length is not None and size < info.min_length:
        msg = f"{kind} should have at least {plural(info.min_length, 'item')} after validation"
        ctx["min_length"] = info.min_length
        return run.fail("too_short", loc, f"{msg}, not {size}", value, ctx)
    if info.max_length is not None and size > info.max_length:
        msg = f"{kind} should have at most {plural(info.max_length, 'item')} after validation"
        ctx["max_length"] = info.max_length
        return run.fail("too_long", loc, f"{msg}, not {size}", value, ctx)
    return value
