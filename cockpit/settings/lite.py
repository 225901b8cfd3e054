"""Frozen, typed config tables validated in-house: the small subset of pydantic they use.

Importing pydantic and building its schemas cost about 100 ms and 12 MB at every start;
this module checks the same annotations (str, bool, int, float, date, Path, Literal,
`X | None`, list, tuple, dict, nested tables, `Annotated` with `Field` bounds and
validators) lazily, on a class's first use, and reports every problem at once as
pydantic-shaped ErrorDetails with pydantic's messages (see liteerrors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypedDict, TypeVar, get_origin, get_type_hints

from cockpit.settings.litecompile import compile_check
from cockpit.settings.liteerrors import (
    BAD,
    Check,
    ErrorDetails,
    Loc,
    Run,
    ValidationError,
    ValidationInfo,
)
from cockpit.settings.litetypes import (
    MISSING,
    AfterValidator,
    BeforeValidator,
    Field,
    FieldInfo,
    StringConstraints,
    call,
    takes_info,
)

__all__ = [
    "AfterValidator",
    "BeforeValidator",
    "ConfigDict",
    "ErrorDetails",
    "Field",
    "FieldInfo",
    "StringConstraints",
    "Table",
    "ValidationError",
    "ValidationInfo",
    "field_validator",
    "model_validator",
]

F = TypeVar("F")
T = TypeVar("T", bound="Table")
Validator = tuple[Callable[..., Any], bool]


class ConfigDict(TypedDict, total=False):
    """A table's behaviour: `strict` refuses coercions (bool is not int; int is a float)."""

    frozen: bool
    extra: Literal["forbid", "ignore"]
    strict: bool
    populate_by_name: bool


def field_validator(*fields: str, mode: Literal["after", "before"] = "after") -> Callable[[F], F]:
    """Mark a classmethod `(cls, value[, info])` validating `fields` before or after their type."""

    def mark(func: F) -> F:
        getattr(func, "__func__", func).__dict__["__lite_field__"] = (fields, mode)
        return func

    return mark


def model_validator(*, mode: Literal["after"]) -> Callable[[F], F]:
    """Mark a method `(self) -> self` run once every field of the table is valid."""

    def mark(func: F) -> F:
        getattr(func, "__func__", func).__dict__["__lite_model__"] = mode
        return func

    return mark


@dataclass(frozen=True, slots=True)
class _Plan:
    fields: dict[str, FieldInfo]
    keys: dict[str, tuple[str, ...]]
    checks: dict[str, Check]
    before: dict[str, list[Validator]]
    after: dict[str, list[Validator]]
    model_after: list[Callable[[Any], Any]]
    config: ConfigDict


def _build(cls: type[Table]) -> _Plan:
    config: ConfigDict = cls.model_config
    strict = config.get("strict", False)
    fields: dict[str, FieldInfo] = {}
    checks: dict[str, Check] = {}
    keys: dict[str, tuple[str, ...]] = {}
    for name, annotation in get_type_hints(cls, include_extras=True).items():
        if name.startswith(("_", "model_")) or get_origin(annotation) is ClassVar:
            continue
        given = getattr(cls, name, MISSING)
        info = FieldInfo(**{**_as_dict(given), "annotation": _strip(annotation)})
        fields[name] = info
        checks[name] = compile_check(annotation, info, strict, _check_table)
        alias = info.alias or name
        keys[name] = (alias, name) if alias != name and config.get("populate_by_name") else (alias,)
    before: dict[str, list[Validator]] = {name: [] for name in fields}
    after: dict[str, list[Validator]] = {name: [] for name in fields}
    model_after: list[Callable[[Any], Any]] = []
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
                (before if mode == "before" else after)[name].append((bound, takes_info(bound, 1)))
        elif "__lite_model__" in marks:
            model_after.append(func)
    return _Plan(fields, keys, checks, before, after, model_after, config)


def _as_dict(given: Any) -> dict[str, Any]:
    if isinstance(given, FieldInfo):
        return {slot: getattr(given, slot) for slot in FieldInfo.__slots__}
    return {"default": given}


def _strip(annotation: Any) -> Any:
    """The annotation without its `Annotated` layer (as pydantic's FieldInfo.annotation)."""
    return (
        getattr(annotation, "__origin__", annotation)
        if hasattr(annotation, "__metadata__")
        else annotation
    )


def _plan(cls: type[Table]) -> _Plan:
    plan = cls.__dict__.get("_lite_plan")
    if plan is None:
        plan = _build(cls)
        type.__setattr__(cls, "_lite_plan", plan)
    return plan  # type: ignore[no-any-return]


def _check_table(cls: type[Table], value: Any, run: Run, loc: Loc) -> Any:
    if isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        msg = f"Input should be a valid dictionary or instance of {cls.__name__}"
        return run.fail("model_type", loc, msg, value, {"class_name": cls.__name__})
    plan = _plan(cls)
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


def _check_field(plan: _Plan, name: str, value: Any, run: Run, loc: Loc) -> Any:
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


class _TableMeta(type):
    @property
    def model_fields(cls) -> dict[str, FieldInfo]:
        """Field name -> its FieldInfo (annotation, default), in declaration order."""
        return _plan(cls).fields  # type: ignore[arg-type]


class Table(metaclass=_TableMeta):
    """Base of a config table: declare fields as annotated class attributes with defaults."""

    __slots__ = ("__dict__", "_fields_set")
    __lite_table__: ClassVar[bool] = True
    model_config: ClassVar[ConfigDict] = ConfigDict()
    _fields_set: frozenset[str]

    def __init__(self, **data: Any) -> None:
        valid = _validate(type(self), data, None)
        self.__dict__.update(valid.__dict__)
        object.__setattr__(self, "_fields_set", valid._fields_set)

    @classmethod
    def model_validate(cls: type[T], data: Any, *, context: Mapping[str, Any] | None = None) -> T:
        """A valid table from `data` (a dict), or ValidationError listing every problem."""
        return _validate(cls, data, context)

    @property
    def model_fields_set(self) -> frozenset[str]:
        """The fields given in the input (the others hold their defaults)."""
        return self._fields_set

    def model_copy(self: T, *, update: Mapping[str, Any] | None = None) -> T:
        """A shallow copy with `update` applied as is (not validated), like pydantic's."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(update or {})
        object.__setattr__(copy, "_fields_set", self._fields_set | frozenset(update or ()))
        return copy

    def __setattr__(self, name: str, value: Any) -> None:
        if self.model_config.get("frozen"):
            loc: Loc = (name,)
            error: ErrorDetails = {
                "type": "frozen_instance",
                "loc": loc,
                "msg": "Instance is frozen",
                "input": value,
            }
            raise ValidationError(type(self).__name__, [error])
        super().__setattr__(name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        if not self.model_config.get("frozen"):
            raise TypeError(f"unhashable type: {type(self).__name__!r} (not frozen)")
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({shown})"


def _validate(cls: type[T], data: Any, context: Mapping[str, Any] | None) -> T:
    run = Run(context)
    table = _check_table(cls, data, run, ())
    if run.errors or table is BAD:
        raise ValidationError(cls.__name__, run.errors)
    return table  # type: ignore[no-any-return]
