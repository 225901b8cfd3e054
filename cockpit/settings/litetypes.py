"""Field markers of the lite tables and the checks built from a field's type annotation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cockpit.settings.liteerrors import Check, Loc, Run, ValidationInfo

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
"""The default of a field that must be given."""


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A field's default and constraints (from `Field(...)`), and its annotation once known."""

    default: Any = MISSING
    default_factory: Callable[[], Any] | None = None
    alias: str | None = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    annotation: Any = None

    def is_required(self) -> bool:
        """True when the input must hold this field."""
        return self.default is MISSING and self.default_factory is None


def Field(
    default: Any = MISSING,
    *,
    default_factory: Callable[[], Any] | None = None,
    alias: str | None = None,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
) -> Any:
    """A field's default and constraints, as a class attribute or inside `Annotated`."""
    return FieldInfo(
        default, default_factory, alias, gt, ge, lt, le, min_length, max_length, pattern
    )


def StringConstraints(*, pattern: str) -> Any:
    """A pattern a string must match (`re.search`), inside `Annotated`."""
    return FieldInfo(pattern=pattern)


@dataclass(frozen=True, slots=True)
class AfterValidator:
    """`Annotated` metadata: `func(value)` (or `func(value, info)`) after the type check."""

    func: Callable[..., Any]


@dataclass(frozen=True, slots=True)
class BeforeValidator:
    """`Annotated` metadata: `func(value)` (or `func(value, info)`) before the type check."""

    func: Callable[..., Any]


def takes_info(func: Callable[..., Any], bound: int = 0) -> bool:
    """True when `func` wants a ValidationInfo after the value (`bound`: cls/self args)."""
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    return code is not None and code.co_argcount - bound >= 2


def call(func: Callable[..., Any], info: bool, value: Any, run: Run, loc: Loc) -> Any:
    """Run one validator; a ValueError becomes a `value_error` problem at `loc`."""
    try:
        if info:
            name = loc[-1] if loc and isinstance(loc[-1], str) else None
            return func(value, ValidationInfo(run.context, name))
        return func(value)
    except ValueError as exc:
        return run.value_error(exc, loc, value)


def _type(kind: str, msg: str, ok: Callable[[Any], bool]) -> Check:
    def check(value: Any, run: Run, loc: Loc) -> Any:
        return value if ok(value) else run.fail(kind, loc, msg, value)

    return check


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def number(strict: bool, whole: bool) -> Check:
    kind, msg = ("int", "integer") if whole else ("float", "number")

    def check(value: Any, run: Run, loc: Loc) -> Any:
        if _is_int(value) or (not whole and isinstance(value, float)):
            return value if whole else float(value)
        if not strict:
            if isinstance(value, bool) or (isinstance(value, float) and value.is_integer()):
                return int(value) if whole else float(value)
            if isinstance(value, str):
                try:
                    return int(value) if whole else float(value)
                except ValueError:
                    how = "an integer" if whole else "a number"
                    why = f"Input should be a valid {msg}, unable to parse string as {how}"
                    return run.fail(f"{kind}_parsing", loc, why, value)
        return run.fail(f"{kind}_type", loc, f"Input should be a valid {msg}", value)

    return check


SCALARS: dict[Any, Check] = {
    str: _type("string_type", "Input should be a valid string", lambda v: isinstance(v, str)),
    bool: _type("bool_type", "Input should be a valid boolean", lambda v: isinstance(v, bool)),
    date: _type(
        "date_type",
        "Input should be a valid date",
        lambda v: isinstance(v, date) and not isinstance(v, datetime),
    ),
    Path: _type("path_type", "Input should be an instance of Path", lambda v: isinstance(v, Path)),
}


def literal(choices: tuple[Any, ...]) -> Check:
    shown = [repr(choice) for choice in choices]
    expected = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"

    def check(value: Any, run: Run, loc: Loc) -> Any:
        if any(type(value) is type(choice) and value == choice for choice in choices):
            return value
        return run.fail(
            "literal_error", loc, f"Input should be {expected}", value, {"expected": expected}
        )

    return check
