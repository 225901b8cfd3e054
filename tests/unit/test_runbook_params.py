"""bind_params: values come from their sources, are fully matched, and hostile ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_corpus import load as load_corpus

from cockpit.runbook.model import Param, Runbook, Step
from cockpit.runbook.params import ParamError, bind_params, check_value, source_keys

HOSTILE = load_corpus()
HOSTILE_PARAMS = HOSTILE["sql_params"] + HOSTILE["promql_or_k8s_params"]
EVERY_HOSTILE = (
    HOSTILE_PARAMS + HOSTILE["terminal_escapes"] + HOSTILE["markup"] + HOSTILE["unicode"]
)

DNS = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"


def _param(name: str, type_: str, pattern: str, source: str, default: str | None = None) -> Param:
    return Param(name, type_, pattern, source, default, "", 1)


def _runbook(*params: Param) -> Runbook:
    return Runbook("RB-999", "t", "SEV-3", (), params, (), Path("x.md"))


STRICT = _runbook(
    _param("tenant", "tenant", "[a-z0-9][a-z0-9_-]{0,62}", "label:tenant"),
    _param("service", "k8s_name", DNS, "label:service"),
    _param("window", "duration", "[0-9]{1,3}[mh]", "operator", "5m"),
)


@pytest.mark.parametrize("value", EVERY_HOSTILE)
@pytest.mark.parametrize("name", ["tenant", "service", "window"])
def test_hostile_values_are_refused(name: str, value: str) -> None:
    keys = {"tenant": "label:tenant", "service": "label:service", "window": "operator:window"}
    sources = {"label:tenant": "acme", "label:service": "kyc-svc", keys[name]: value}
    with pytest.raises(ParamError) as info:
        bind_params(STRICT, sources)
    assert [i.name for i in info.value.issues] == [name]
    message = str(info.value)
    assert "refused" in message and "\x1b" not in message and "\n" not in message


def test_hostile_refused_even_with_a_loose_pattern_for_strict_types() -> None:
    loose = _runbook(
        _param("svc", "k8s_name", ".*", "label:service"),
        _param("tenant", "tenant", ".*", "label:tenant"),
    )
    for value in HOSTILE_PARAMS:
        with pytest.raises(ParamError):
            bind_params(loose, {"label:service": value})
        with pytest.raises(ParamError):
            bind_params(loose, {"label:tenant": value})


def test_control_characters_refused_even_by_a_string_pattern() -> None:
    free = _runbook(_param("note", "string", "(?s).*", "operator"))
    for value in HOSTILE["terminal_escapes"]:
        with pytest.raises(ParamError, match="control or invisible"):
            bind_params(free, {"operator:note": value})


def test_values_bound_with_their_origin() -> None:
    bound = bind_params(STRICT, {"label:tenant": "acme-bank", "label:service": "kyc-svc"})
    assert bound.values == {"tenant": "acme-bank", "service": "kyc-svc", "window": "5m"}
    assert bound.origins == {
        "tenant": "label:tenant",
        "service": "label:service",
        "window": "default",
    }
    assert bound.missing == ()


def test_operator_value_wins_and_is_recorded() -> None:
    sources = source_keys(
        labels={"tenant": "acme", "service": "kyc-svc"}, operator={"tenant": "beta"}
    )
    bound = bind_params(STRICT, sources)
    assert bound.values["tenant"] == "beta"
    assert bound.origins["tenant"] == "operator"


def test_full_match_not_search() -> None:
    assert check_value(STRICT.params[0], "acme") is None
    assert check_value(STRICT.params[0], "acme bank") is not None
    assert check_value(STRICT.params[2], "5m30") is not None


def test_missing_values_block_only_the_steps_that_need_them() -> None:
    bound = bind_params(STRICT, {"label:tenant": "acme"})
    assert bound.missing == ("service",)
    uses_tenant = _step(("tenant", "window"))
    uses_service = _step(("service",))
    assert bound.for_step(uses_tenant) == {"tenant": "acme", "window": "5m"}
    with pytest.raises(ParamError, match="'service' has no value"):
        bound.for_step(uses_service)


def test_sql_args_passes_int_params_as_int() -> None:
    runbook = _runbook(_param("minutes", "int", "[1-9][0-9]{0,3}", "operator", "5"))
    bound = bind_params(runbook, {})
    assert bound.sql_args(_step(("minutes",))) == {"minutes": 5}
    with pytest.raises(ParamError):
        bind_params(runbook, {"operator:minutes": "5; SELECT 1"})


def test_incident_source() -> None:
    runbook = _runbook(_param("since", "string", "[0-9T:.Z+-]{10,40}", "incident:detected_at"))
    bound = bind_params(runbook, source_keys(incident={"detected_at": "2025-01-02T03:04:05Z"}))
    assert bound.values == {"since": "2025-01-02T03:04:05Z"}
    assert bound.origins == {"since": "incident:detected_at"}


def _step(params: tuple[str, ...]) -> Step:
    return Step("s", "sql", "diagnose", "t", "none", False, None, "SELECT 1", {}, 1, params=params)
