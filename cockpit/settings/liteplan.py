"""How one table class validates: its fields, checks and validators, built on first use."""

from __future__ import annotations

import builtins
import operator
import sys
from collections.abc import Callable
from functools import reduce
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from cockpit.settings.litecompile import compile_check
from cockpit.settings.liteerrors import BAD, Check, Loc, Run
from cockpit.settings.litetypes import MISSING, FieldInfo, call, takes_info

if TYPE_CHECKING:
    from cockpit.settings.lite import Table

Validator = tuple[Callable[..., Any], bool]
_RESOLVED: dict[tuple[str, str], Any] = {}
_CLASS_VARS = ("ClassVar", "typing.ClassVar")


class ConfigDict(TypedDict, total=False):
    """A table's behaviour: `strict` refuses coercions (bool is not int; int is a float)."""

    frozen: bool
    extra: Literal["forbid", "ignore"]
    strict: bool
    populate_by_name: bool


class Plan:
    """A table class's fields (declaration order), input keys, checks and validators."""

    __slots__ = ("after", "before", "checks", "config", "fields", "keys", "model_after")

    def __init__(self, config: ConfigDict) -> None:
        self.config = config
        self.fields: dict[str, FieldInfo] = {}
        self.keys: dict[str, tuple[str, ...]] = {}
        self.checks: dict[str, Check] = {}
        self.before: dict[str, list[Validator]] = {}
        self.after: dict[str, list[Validator]] = {}
        self.model_after: list[Callable[[Any], Any]] = []


def plan_of(cls: type[Table]) -> Plan:
    """The class's plan, built once (a race between threads only builds it twice)."""
    plan = cls.__dict__.get("_lite_plan")
    if plan is None:
        plan = _build(cls)
        type.__setattr__(cls, "_lite_plan", plan)
    return plan  # type: ignore[no-any-return]


def _resolve(text: str, module: str) -> Any:
    """A string annotation evaluated in its module (cached: many fields share one type).

    `X` and `X | None` are looked up without compiling anything; the rest is eval'd once.
    """
    key = (module, text)
    if key not in _RESOLVED:
        scope = vars(sys.modules[module])
        parts = text.split(" | ")
        if all(part in scope or hasattr(builtins, part) for part in parts):
            found = [scope[p] if p in scope else getattr(builtins, p) for p in parts]
            _RESOLVED[key] = reduce(operator.or_, found)
        else:  # NameError for a name the module does not define (a function's local type)
            _RESOLVED[key] = eval(text, scope)  # noqa: S307 - our own source's annotations
    return _RESOLVED[key]


def _hints(cls: type) -> dict[str, Any]:
    """Field name -> annotation over the class and its bases (private and model_ names left out)."""
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, text in vars(klass).get("__annotations__", {}).items():
            if name.startswith(("_", "model_")) or str(text).startswith(_CLASS_VARS):
                continue
            hints[name] = _resolve(text, klass.__module__) if isinstance(text, str) else text
    return hints


def _build(cls: type[Table]) -> Plan:
    plan = Plan(cls.model_config)
    strict = plan.config.get("strict", False)
    for name, annotation in _hints(cls).items():
        given = getattr(cls, name, MISSING)
        info = FieldInfo(**{**_as_dict(given), "annotation": _strip(annotation)})
        plan.fields[name] = info
        plan.checks[name] = compile_check(annotation, info, strict, check_table)
        alias = info.alias or name
        both = alias != name and plan.config.get("populate_by_name")
        plan.keys[name] = (alias, name) if both else (alias,)
        plan.before[name], plan.after[name] = [], []
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        members.update(vars(klass))
    for member in members.values():
        func = getattr(member, "__func__", member)
        marks = getattr(func, "__dict__", {})
        if "__lite_field__" in marks:
            names, mode = marks["__lite_field__"]
            bound = member.__get__(None, cls)
            for name in names:
                where = plan.before if mode == "before" else plan.after
                where[name].append((bound, takes_info(bound, 1)))
        elif "__lite_model__" in marks:
            plan.model_after.append(func)
    return plan


def _as_dict(given: Any) -> dict[str, Any]:
    if isinstance(given, FieldInfo):
        return {slot: getattr(given, slot) for slot in FieldInfo.__slots__}
    return {"default": given}


def _strip(annotation: Any) -> Any:
    """The annotation without its `Annotated` layer (as pydantic's FieldInfo.annotation)."""
    if hasattr(annotation, "__metadata__"):
        return annotation.__origin__
    return annotation


def check_table(cls: type[Table], value: Any, run: Run, loc: Loc) -> Any:
    """A table instance from a dict (or the instance given), or BAD with the problems recorded.

    Fields are checked in declaration order, then unknown keys; the model validators run
    only when every field is valid (as in pydantic, so they may trust the values).
    """
    if isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        msg = f"Input should be a valid dictionary or instance of {cls.__name__}"
        return run.fail("model_type", loc, msg, value, {"class_name": cls.__name__})
    plan = plan_of(cls)
    found = len(run.errors)
    values: dict[str, Any] = {}
    given: set[str] = set()
    used: set[str] = set()  # with both a field's alias and name given, the name is extra
    for name, info in plan.fields.items():
        keys = plan.keys[name]
        key = next((key for key in keys if key in value), None)
        here = (*loc, keys[0])
        if key is None:
            if info.is_required():
                run.fail("missing", here, "Field required", value)
            else:
                factory = info.default_factory
                values[name] = factory() if factory is not None else info.default
            continue
        given.add(name)
        used.add(key)
        values[name] = _check_field(plan, name, value[key], run, here)
    if plan.config.get("extra") == "forbid":
        for key, item in value.items():
            if key not in used:
                run.fail("extra_forbidden", (*loc, key), "Extra inputs are not permitted", item)
    if len(run.errors) > found:
        return BAD
    table = object.__new__(cls)
    table.__dict__.update(values)
    object.__setattr__(table, "_fields_set", frozenset(given))
    for validator in plan.model_after:
        try:
            table = validator(table)
        except ValueError as exc:
            return run.value_error(exc, loc, value)
    return table


def _check_field(plan: Plan, name: str, value: Any, run: Run, loc: Loc) -> Any:
    for func, info in plan.before[name]:
        value = call(func, info, value, run, loc)
        if value is BAD:
            return BAD
    value = plan.checks[name](value, run, loc)
    for func, info in plan.after[name]:
        if value is BAD:
            return BAD
        value = call(func, info, value, run, loc)
    return value
