"""Turn a type annotation (with its `Annotated` metadata) into one check function."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from cockpit.settings.litebounds import Bounds, bounds, length
from cockpit.settings.liteerrors import BAD, Check, Loc, Run
from cockpit.settings.litetypes import (
    SCALARS,
    AfterValidator,
    BeforeValidator,
    FieldInfo,
    call,
    literal,
    number,
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
        return _bounded(compile_check(annotation, None, strict, table), bounds(limits))
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


def _bounded(base: Check, limits: Bounds) -> Check:
    def check(value: Any, run: Run, loc: Loc) -> Any:
        checked = base(value, run, loc)
        return BAD if checked is BAD else limits(checked, value, run, loc)

    return check


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
            return length(info, elements, run, loc, "List")  # before the items, as pydantic
        result = [item(element, run, (*loc, index)) for index, element in enumerate(elements)]
        valid = [element for element in result if element is not BAD]
        if origin is list and len(valid) < len(result):
            return BAD
        # pydantic measures a tuple by its valid items, after checking them all.
        if length(info, valid, run, loc, name.title()) is BAD:
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
