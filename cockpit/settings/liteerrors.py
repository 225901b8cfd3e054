"""Validation problems of the lite tables, shaped like pydantic's ErrorDetails."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

Loc = tuple[int | str, ...]


class ErrorDetails(TypedDict):
    """One problem: its kind, where it is (keys and list indexes), the message and the input."""

    type: str
    loc: Loc
    msg: str
    input: Any
    ctx: NotRequired[dict[str, Any]]


class ValidationError(ValueError):
    """Every problem found in one validation, all at once (`errors()`), never the values."""

    def __init__(self, title: str, errors: list[ErrorDetails]) -> None:
        self.title = title
        self._errors = errors
        count = len(errors)
        lines = [f"{count} validation error{'s' if count != 1 else ''} for {title}"]
        for item in errors:
            lines.append(".".join(str(part) for part in item["loc"]) or "(table)")
            lines.append(f"  {item['msg']} [type={item['type']}]")
        super().__init__("\n".join(lines))

    def errors(self) -> list[ErrorDetails]:
        """The problems in the order they were found (fields in declaration order)."""
        return list(self._errors)

    def error_count(self) -> int:
        """How many problems were found."""
        return len(self._errors)


@dataclass(slots=True)
class Run:
    """One validation pass: the caller's context and the problems found so far."""

    context: Mapping[str, Any] | None
    errors: list[ErrorDetails] = field(default_factory=list)

    def fail(
        self, kind: str, loc: Loc, msg: str, value: object, ctx: dict[str, Any] | None = None
    ) -> object:
        """Record a problem; returns the BAD marker for the caller to pass up."""
        item: ErrorDetails = {"type": kind, "loc": loc, "msg": msg, "input": value}
        if ctx is not None:
            item["ctx"] = ctx
        self.errors.append(item)
        return BAD

    def value_error(self, exc: ValueError, loc: Loc, value: object) -> object:
        """Record a ValueError raised by one of our validators (its text is the message)."""
        return self.fail("value_error", loc, f"Value error, {exc}", value, {"error": exc})


BAD: Any = type("Bad", (), {"__repr__": lambda self: "BAD"})()
"""Returned by a check whose value failed (the problem is already recorded)."""

Check = Callable[[Any, Run, Loc], Any]
"""Validate one value at `loc`: the (maybe converted) value, or BAD after recording why."""


@dataclass(frozen=True, slots=True)
class ValidationInfo:
    """What a validator taking two arguments receives besides the value."""

    context: Mapping[str, Any] | None
    field_name: str | None = None
