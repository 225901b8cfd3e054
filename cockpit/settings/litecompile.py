"""Turn a type annotation (with its `Annotated` metadata) into one check function."""

from __future__ import annotations

import operator
import re
import types
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from cockpit.settings.liteerrors import BAD, Check, Loc, Run
from cockpit.settings.litetypes import (
    SCALARS,
    AfterValidator,
    BeforeValidator,
    FieldInfo,
    call,
    literal,
    number,
    plural,
    takes_info,
)

TableCheck = Callable[[type, Any, Run, Loc], Any]
"""How a nested table class validates its input (given by the tables module)."""


def compile_check(
    annotation: Any, limits: FieldInfo | None, strict: bool, table: TableCheck
) -> Check:
    """The check for `annotation`; `limits` are field-level constraints (for the inner type)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *meta = get_args(annotation)
        return _annotated(inner, meta, limits, strict, table)
    if origin in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) != 1 or len(get_args(annotation)) != 2:
            raise TypeError(f"only `X | None` unions are supported, not {annotation}")
        check = compile_check(args[0], limits, strict, table)
        return lambda value, run, loc: None if value is None else check(value, run, loc)
    if origin is list or origin is tuple:
        return _sequence(annotation, limits, strict, table)
    if limits is not None and _has_limits(limits):
        return _bounded(compile_check(annotation, None, strict, table), _bounds(limits))
    if origin is Literal:
        return literal(get_args(annotation))
    if origin is dict:
        key, item = get_args(annotation)
        return _mapping(
            compile_check(key, None, strict, table), compile_check(item, None, strict, table)
        )
    if annotation in (int, float):
        return number(strict, whole=annotation is int)
    if annotation in SCALARS:
        return SCALARS[annotation]
    if isinstance(annotation, type) and getattr(annotation, "__lite_table__", False):
        cls = annotation
        return lambda value, run, loc: table(cls, value, run, loc)
    raise TypeError(f"unsupported field type {annotation!r}")


LIMITS = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern")


def _has_limits(info: FieldInfo) -> bool:
    return any(getattr(info, name) is not None for name in LIMITS)


def _merge(limits: FieldInfo | None, meta: list[Any]) -> FieldInfo | None:
    """The field's constraints and those of `Annotated[..., Field(...)]`, as one FieldInfo."""
    found = [m for m in (limits, *meta) if isinstance(m, FieldInfo) and _has_limits(m)]
    if len(found) < 2:
        return found[0] if found else None
    merged: dict[str, Any] = {}
    for info in found:
        merged.update({k: getattr(info, k) for k in LIMITS if getattr(info, k) is not None})
    return FieldInfo(**merged)


def _annotated(
    inner: Any, meta: list[Any], limits: FieldInfo | None, strict: bool, table: TableCheck
) -> Check:
    base = compile_check(inner, _merge(limits, meta), strict, table)
    before = [(m.func, takes_info(m.func)) for m in meta if isinstance(m, BeforeValidator)]
    after = [(m.func, takes_info(m.func)) for m in meta if isinstance(m, AfterValidator)]
    if not before and not after:
        return base

    def check(value: Any, run: Run, loc: Loc) -> Any:
        for func, info in reversed(before):
            value = call(func, info, value, run, loc)
            if value is BAD:
                return BAD
        value = base(value, run, loc)
        for func, info in after:
            if value is BAD:
                return BAD
            value = call(func, info, value, run, loc)
        return value

    return check


def _bounded(base: Check, bounds: Callable[[Any, Any, Run, Loc], Any]) -> Check:
    def check(value: Any, run: Run, loc: Loc) -> Any:
        checked = base(value, run, loc)
        return BAD if checked is BAD else bounds(checked, value, run, loc)

    return check


def _bounds(info: FieldInfo) -> Callable[[Any, Any, Run, Loc], Any]:
    """Numeric bounds, lengths and pattern, with pydantic's messages and error kinds."""
    pattern = re.compile(info.pattern) if info.pattern is not None else None

    def check(value: Any, raw: Any, run: Run, loc: Loc) -> Any:
        if isinstance(value, str):
            size = len(value)
            if info.min_length is not None and size < info.min_length:
                msg = f"String should have at least {plural(info.min_length, 'character')}"
                return run.fail(
                    "string_too_short", loc, msg, value, {"min_length": info.min_length}
                )
            if info.max_length is not None and size > info.max_length:
                msg = f"String should have at most {plural(info.max_length, 'character')}"
                return run.fail("string_too_long", loc, msg, value, {"max_length": info.max_length})
            if pattern is not None and not pattern.search(value):
                msg = f"String should match pattern '{info.pattern}'"
                return run.fail(
                    "string_pattern_mismatch", loc, msg, value, {"pattern": info.pattern}
                )
            return value
        if isinstance(value, dict):
            return _length(info, value, run, loc)
        # pydantic's order, which decides the message for nan (that fails every bound).
        for kind, limit, ok in (
            ("less_than_equal", info.le, operator.le),
            ("less_than", info.lt, operator.lt),
            ("greater_than_equal", info.ge, operator.ge),
            ("greater_than", info.gt, operator.gt),
        ):
            if limit is not None and not ok(value, limit):
                words = kind.replace("_equal", " or equal to").replace("_than", " than")
                msg = f"Input should be {words} {limit}"
                return run.fail(kind, loc, msg, raw, {kind_key(kind): limit})
        return value

    return check


def kind_key(kind: str) -> str:
    """The ctx key pydantic uses for a bound kind (`greater_than_equal` -> `ge`)."""
    return {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt"}.get(kind, "le")


def _length(info: FieldInfo, value: Any, run: Run, loc: Loc, kind: str = "Dictionary") -> Any:
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


def _sequence(annotation: Any, limits: FieldInfo | None, strict: bool, table: TableCheck) -> Check:
    """A list or `tuple[X, ...]`, with pydantic's length checks (they differ for the two)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is tuple and (len(args) != 2 or args[1] is not Ellipsis):
        raise TypeError(f"only `tuple[X, ...]` tuples are supported, not {annotation}")
    item = compile_check(args[0], None, strict, table)
    accepted: tuple[type, ...] = (list, tuple) if not strict else (origin,)
    name = "list" if origin is list else "tuple"
    info = limits or FieldInfo()

    def check(value: Any, run: Run, loc: Loc) -> Any:
        if not isinstance(value, accepted):
            return run.fail(f"{name}_type", loc, f"Input should be a valid {name}", value)
        elements: Any = value  # a list or a tuple (isinstance above)
        if origin is list and info.max_length is not None and len(elements) > info.max_length:
            return _length(info, elements, run, loc, "List")  # before the items, as pydantic
        result = [item(element, run, (*loc, index)) for index, element in enumerate(elements)]
        valid = [element for element in result if element is not BAD]
        if origin is list and len(valid) < len(result):
            return BAD
        # pydantic measures a tuple by its valid items, after checking them all.
        if _length(info, valid, run, loc, name.title()) is BAD:
            return BAD
        if len(valid) < len(result):
            return BAD
        return result if origin is list else tuple(result)

    return check


def _mapping(key: Check, item: Check) -> Check:
    def check(value: Any, run: Run, loc: Loc) -> Any:
        if not isinstance(value, dict):
            return run.fail("dict_type", loc, "Input should be a valid dictionary", value)
        result: dict[Any, Any] = {}
        failed = False
        for name, element in value.items():
            checked_key = key(name, run, (*loc, name, "[key]"))
            checked = item(element, run, (*loc, name))
            failed = failed or checked_key is BAD or checked is BAD
            result[checked_key] = checked
        return BAD if failed else result

    return check
