"""Frozen, typed config tables validated in-house: the small subset of pydantic they use.

Importing pydantic and building its schemas cost about 100 ms and 12 MB at every start;
this module checks the same annotations (str, bool, int, float, date, Path, Literal,
`X | None`, list, tuple, dict, nested tables, `Annotated` with `Field` bounds and
validators) lazily, on a class's first use, and reports every problem at once as
pydantic-shaped ErrorDetails with pydantic's messages (see liteerrors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, TypeVar

from cockpit.settings.liteerrors import BAD, ErrorDetails, Loc, Run, ValidationError, ValidationInfo
from cockpit.settings.liteplan import ConfigDict, check_table, plan_of
from cockpit.settings.litetypes import (
    AfterValidator,
    BeforeValidator,
    Field,
    FieldInfo,
    StringConstraints,
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


class _TableMeta(type):
    @property
    def model_fields(cls) -> dict[str, FieldInfo]:
        """Field name -> its FieldInfo (annotation, default), in declaration order."""
        return plan_of(cls).fields  # type: ignore[arg-type]


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

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)  # refused when frozen
        super().__delattr__(name)

    def __setstate__(self, state: tuple[dict[str, Any] | None, dict[str, Any]]) -> None:
        """Restore a copy or an unpickled table (its fields set bypass the frozen guard)."""
        values, slots = state
        self.__dict__.update(values or {})
        object.__setattr__(self, "_fields_set", slots["_fields_set"])

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
    table = check_table(cls, data, run, ())
    if run.errors or table is BAD:
        raise ValidationError(cls.__name__, run.errors)
    return table  # type: ignore[no-any-return]
