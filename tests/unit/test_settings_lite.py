"""The in-house table validator: every error kind, all errors at once, strictness, and
the same errors as pydantic (still installed for the runbook models) on the same tables."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pydantic
import pytest

from cockpit.settings.lite import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    Table,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

STRICT = ConfigDict(frozen=True, extra="forbid", strict=True)
UNPARSED = "unable to parse string as a number"
EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def _shout(value: str) -> str:
    if value.islower():
        raise ValueError(f"{value!r} is too quiet")
    return value


def _rooted(value: object, info: ValidationInfo) -> object:
    base = (info.context or {}).get("base")
    return f"{base}/{value}" if isinstance(value, str) and base else value


class Inner(Table):
    model_config = STRICT

    port: Annotated[int, Field(gt=0, le=65535)] = 80
    host: str


class Outer(Table):
    model_config = STRICT

    name: Annotated[str, Field(min_length=2, max_length=5)] = "ab"
    code: Annotated[str, StringConstraints(pattern=r"^[a-z]+$")] = "x"
    loud: Annotated[str, AfterValidator(_shout)] | None = None
    where: Annotated[str, BeforeValidator(_rooted)] = "."
    ratio: Annotated[float, Field(ge=0, lt=1)] = 0.5
    flag: bool = False
    count: int = 0
    day: date | None = None
    mode: Literal["a", "b", "c"] = "a"
    one: Literal["only"] = "only"
    tags: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    items: tuple[str, ...] = Field(default=(), min_length=0, max_length=2)
    table: dict[Annotated[str, StringConstraints(pattern=r"^k")], Inner] = Field(
        default_factory=dict
    )
    inner: Inner | None = None
    pair: Annotated[list[int], Field(min_length=1, max_length=2)] = Field(default_factory=list)

    @field_validator("count", mode="before")
    @classmethod
    def _count_from_text(cls, value: object) -> object:
        return len(value) if isinstance(value, str) else value

    @field_validator("count")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError("count must be even")
        return value

    @model_validator(mode="after")
    def _not_both(self) -> Outer:
        if self.loud is not None and self.inner is not None:
            raise ValueError("loud and inner exclude each other")
        return self


def _errors(model: type[Any], data: Any, context: dict[str, Any] | None = None) -> list[Any]:
    with pytest.raises((ValidationError, pydantic.ValidationError)) as info:
        model.model_validate(data, context=context)
    assert isinstance(info.value, ValueError)
    found = info.value.errors()  # type: ignore[union-attr]
    # The pydantic twins are named P<Name>: compare the messages without that prefix.
    return [(e["type"], e["loc"], e["msg"].replace("instance of P", "instance of ")) for e in found]


def test_every_error_is_reported_at_once_with_its_location() -> None:
    data = {
        "name": "a",
        "code": "A1",
        "loud": "quiet",
        "ratio": 1,
        "flag": 1,
        "count": 1.0,
        "day": datetime(2024, 1, 1),
        "mode": "d",
        "one": "two",
        "tags": [1, 0, "x"],
        "items": "ab",
        "table": {"k1": {"host": 3, "port": 0}, "bad": {"host": "h"}, "k2": 3},
        "inner": {"port": True},
        "extra": 1,
    }
    assert _errors(Outer, data) == [
        ("string_too_short", ("name",), "String should have at least 2 characters"),
        ("string_pattern_mismatch", ("code",), "String should match pattern '^[a-z]+$'"),
        ("value_error", ("loud",), "Value error, 'quiet' is too quiet"),
        ("less_than", ("ratio",), "Input should be less than 1"),
        ("bool_type", ("flag",), "Input should be a valid boolean"),
        ("int_type", ("count",), "Input should be a valid integer"),
        ("date_type", ("day",), "Input should be a valid date"),
        ("literal_error", ("mode",), "Input should be 'a', 'b' or 'c'"),
        ("literal_error", ("one",), "Input should be 'only'"),
        ("greater_than_equal", ("tags", 1), "Input should be greater than or equal to 1"),
        ("int_type", ("tags", 2), "Input should be a valid integer"),
        ("tuple_type", ("items",), "Input should be a valid tuple"),
        ("greater_than", ("table", "k1", "port"), "Input should be greater than 0"),
        ("string_type", ("table", "k1", "host"), "Input should be a valid string"),
        ("string_pattern_mismatch", ("table", "bad", "[key]"), "String should match pattern '^k'"),
        ("model_type", ("table", "k2"), "Input should be a valid dictionary or instance of Inner"),
        ("int_type", ("inner", "port"), "Input should be a valid integer"),
        ("missing", ("inner", "host"), "Field required"),
        ("extra_forbidden", ("extra",), "Extra inputs are not permitted"),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "abcdef"}, ("string_too_long", "String should have at most 5 characters")),
        ({"ratio": -0.5}, ("greater_than_equal", "Input should be greater than or equal to 0")),
        ({"ratio": "x"}, ("float_type", "Input should be a valid number")),
        ({"ratio": True}, ("float_type", "Input should be a valid number")),
        ({"flag": "yes"}, ("bool_type", "Input should be a valid boolean")),
        ({"count": True}, ("int_type", "Input should be a valid integer")),
        ({"tags": (1,)}, ("list_type", "Input should be a valid list")),
        ({"table": []}, ("dict_type", "Input should be a valid dictionary")),
        ({"inner": "x"}, ("model_type", "Input should be a valid dictionary or instance of Inner")),
        ({"where": 3}, ("string_type", "Input should be a valid string")),
        ({"count": 3}, ("value_error", "Value error, count must be even")),
        ({"count": "abc"}, ("value_error", "Value error, count must be even")),
    ],
)
def test_each_error_kind_has_pydantics_type_and_message(
    data: dict[str, Any], expected: tuple[str, str]
) -> None:
    (kind, _, msg), *others = _errors(Outer, data)
    assert (kind, msg) == expected and others == []


def test_strict_values_keep_their_types_and_validators_see_the_context() -> None:
    table = Outer.model_validate(
        {"ratio": 0, "count": "ab", "where": "x", "day": date(2024, 2, 29), "tags": [3]},
        context={"base": "/etc"},
    )
    assert table.ratio == 0.0 and isinstance(table.ratio, float)  # int accepted for float
    assert table.count == 2  # the before validator ran, then the type check and the after one
    assert table.where == "/etc/x" and table.day == date(2024, 2, 29) and table.tags == [3]
    assert table.model_fields_set == {"ratio", "count", "where", "day", "tags"}


def test_model_validators_run_only_on_valid_fields_and_report_at_the_table() -> None:
    both = {"loud": "LOUD", "inner": {"host": "h"}}
    assert _errors(Outer, both) == [
        ("value_error", (), "Value error, loud and inner exclude each other")
    ]
    assert [kind for kind, _, _ in _errors(Outer, {**both, "count": 1})] == ["value_error"]


def test_constructor_validates_and_tables_are_frozen_values() -> None:
    first = Inner(host="db", port=5432)
    assert first == Inner.model_validate({"host": "db", "port": 5432}) != Inner(host="db")
    assert hash(first) == hash(Inner(host="db", port=5432))
    assert repr(first) == "Inner(port=5432, host='db')"
    with pytest.raises(ValidationError, match="Instance is frozen"):
        first.port = 1
    with pytest.raises(ValueError, match="Field required"):
        Inner(port=1)
    with pytest.raises(ValidationError, match="Instance is frozen"):
        del first.host
    assert copy.deepcopy(first) == pickle.loads(pickle.dumps(first)) == first
    assert copy.copy(first).model_fields_set == {"host", "port"}
    changed = Inner(host="db").model_copy(update={"port": 1})
    assert (changed.port, changed.model_fields_set) == (1, {"host", "port"})
    assert Inner(host="a").model_fields_set == {"host"}


def test_the_error_text_never_holds_the_values() -> None:
    """pydantic printed each input (input_value=...): a DSN's password would reach a traceback."""
    from cockpit.settings.backends import PostgresSettings

    with pytest.raises(ValidationError) as info:
        PostgresSettings(dsn="host=db password=hunter2", statement_timeout_ms="x")
    text = str(info.value)
    assert "hunter2" not in text and "password in dsn is refused" in text
    assert text.startswith("2 validation errors for PostgresSettings\ndsn\n")
    assert info.value.error_count() == 2


def test_model_fields_and_fresh_defaults() -> None:
    fields = Outer.model_fields
    assert list(fields)[:3] == ["name", "code", "loud"]
    assert fields["inner"].annotation == Inner | None and fields["tags"].default_factory is list
    assert fields["name"].annotation is str and fields["name"].default == "ab"
    assert Inner.model_fields["host"].is_required()
    first, second = Outer(), Outer()
    assert first.tags == [] and first.tags is not second.tags


class Alert(Table):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    for_: str = Field(alias="for")
    value: float | None = None
    targets: tuple[str, ...] = Field(default=(), min_length=1)
    runbook: str | None = Field(pattern=r"^RB-\d{3}$")


def test_lax_tables_coerce_like_pydantic_and_accept_alias_or_name() -> None:
    table = Alert.model_validate({"for_": "1m", "value": "1.5", "targets": ["a"], "runbook": None})
    assert (table.for_, table.value, table.targets) == ("1m", 1.5, ("a",))
    assert _errors(Alert, {"for": "1m", "for_": "2m", "targets": [], "value": "x"}) == [
        (
            "float_parsing",
            ("value",),
            "Input should be a valid number, unable to parse string as a number",
        ),
        ("too_short", ("targets",), "Tuple should have at least 1 item after validation, not 0"),
        ("missing", ("runbook",), "Field required"),
        ("extra_forbidden", ("for_",), "Extra inputs are not permitted"),
    ]


def test_unsupported_annotations_are_refused_when_the_table_is_first_used() -> None:
    class Odd(Table):
        either: int | str = 0

    with pytest.raises(TypeError, match=r"only `X \| None` unions"):
        Odd.model_validate({})


def test_class_variables_are_not_fields_and_local_types_are_refused_by_name() -> None:
    class Counted(Table):
        limit: ClassVar[int] = 3
        size: int = 1

    class Local:
        pass

    class Odd(Table):
        thing: Local | None = None

    assert list(Counted.model_fields) == ["size"] and Counted().limit == 3
    with pytest.raises(NameError, match="Local"):
        _ = Odd.model_fields


# The same tables in pydantic: the lite validator must report exactly what it reported.
class PInner(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid", strict=True)

    port: Annotated[int, pydantic.Field(gt=0, le=65535)] = 80
    host: str


class POuter(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid", strict=True)

    name: Annotated[str, pydantic.Field(min_length=2, max_length=5)] = "ab"
    code: Annotated[str, pydantic.StringConstraints(pattern=r"^[a-z]+$")] = "x"
    loud: Annotated[str, pydantic.AfterValidator(_shout)] | None = None
    where: Annotated[str, pydantic.BeforeValidator(_rooted)] = "."
    ratio: Annotated[float, pydantic.Field(ge=0, lt=1)] = 0.5
    flag: bool = False
    count: int = 0
    day: date | None = None
    mode: Literal["a", "b", "c"] = "a"
    one: Literal["only"] = "only"
    tags: list[Annotated[int, pydantic.Field(ge=1)]] = pydantic.Field(default_factory=list)
    items: tuple[str, ...] = pydantic.Field(default=(), min_length=0, max_length=2)
    table: dict[Annotated[str, pydantic.StringConstraints(pattern=r"^k")], PInner] = pydantic.Field(
        default_factory=dict
    )
    inner: PInner | None = None
    pair: Annotated[list[int], pydantic.Field(min_length=1, max_length=2)] = pydantic.Field(
        default_factory=list
    )

    _count_from_text = pydantic.field_validator("count", mode="before")(
        Outer._count_from_text.__func__  # type: ignore[attr-defined]
    )
    _even = pydantic.field_validator("count")(Outer._even.__func__)  # type: ignore[attr-defined]
    _not_both = pydantic.model_validator(mode="after")(Outer._not_both)


class PAlert(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", populate_by_name=True)

    for_: str = pydantic.Field(alias="for")
    value: float | None = None
    targets: tuple[str, ...] = pydantic.Field(default=(), min_length=1)
    runbook: str | None = pydantic.Field(pattern=r"^RB-\d{3}$")


CASES: list[Any] = [
    {"name": "", "ratio": float("nan"), "tags": [True, 2.0], "count": "abc"},
    {"table": {"k": {"host": "h", "port": 70000}, 3: {"host": "h"}}},
    {"inner": {"host": "h", "port": 1, "x": None}, "items": ["a"], "day": "2024-01-01"},
    {"mode": 1, "one": None, "loud": 3, "where": None, "flag": None, "ratio": None},
    ["not", "a", "table"],
    {"pair": ["x", "y", "z"], "items": ("a", 1)},
    {"pair": ["x"], "items": ("a", "b", "c")},
    {"items": ("a", 2, 3)},
    {"pair": [1, "x"]},
    {"pair": []},
    {"loud": "OK", "inner": {"host": "h"}, "count": 2},
]


@pytest.mark.parametrize("data", CASES)
def test_same_errors_as_pydantic(data: Any) -> None:
    assert _errors(Outer, data, {"base": "/b"}) == _errors(POuter, data, {"base": "/b"})


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"for": 1, "value": True, "targets": "x"},
        {"for_": "x", "value": [], "targets": [1], "runbook": "RB-1"},
    ],
)
def test_same_lax_errors_as_pydantic(data: Any) -> None:
    assert _errors(Alert, data) == _errors(PAlert, data)


def test_the_live_start_path_never_loads_pydantic() -> None:
    """Settings from the example config and the alert catalog, in a clean interpreter."""
    code = (
        "import sys\n"
        "import cockpit.app, cockpit.launch, cockpit.startup, cockpit.config\n"
        "from cockpit.runbook.catalog import load_catalog\n"
        "settings = cockpit.startup.load_settings(sys.argv[1], None, {})\n"
        "assert load_catalog().alerts and settings.config.environments\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'annotated_types'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
