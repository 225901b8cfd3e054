"""promql_mini: every query form the sources send, the runbooks' simple forms, and refusals."""

from __future__ import annotations

import math
import re

import pytest

from cockpit.sim.promql_mini import PromQLError, Result, Series, evaluate, format_value
from cockpit.sources.kafka import PrometheusKafkaLag
from cockpit.sources.pg_exporter import ExporterConnections
from cockpit.sources.tenants import PrometheusTenantQuota


def s(name: str, value: float, **labels: str) -> Series:
    return Series({"__name__": name, **labels}, value)


STORE = {
    "kafka_consumer_lag": [
        s("kafka_consumer_lag", 10, consumergroup="kyc", topic="cases", partition="0"),
        s("kafka_consumer_lag", 32, consumergroup="kyc", topic="cases", partition="1"),
        s("kafka_consumer_lag", 5, group="aml", topic="req", partition="0"),
    ],
    "tenant_checks_month": [
        s("tenant_checks_month", 960, tenant="acme", instance="a"),
        s("tenant_checks_month", 950, tenant="acme", instance="b"),
        s("tenant_checks_month", 10, tenant="zen", instance="a"),
    ],
    "license_limit": [
        s("license_limit", 1000, tenant="acme", instance="a"),
        s("license_limit", 0, tenant="zen", instance="a"),
    ],
    "pg_stat_activity_count": [
        s("pg_stat_activity_count", 7, datname="kyc", state="active", instance="pg:9187"),
        s("pg_stat_activity_count", 90, datname="kyc", state="idle", instance="pg:9187"),
        s("pg_stat_activity_count", 3, datname="aml", state="idle", instance="pg:9187"),
        s("pg_stat_activity_count", 50, datname="kyc", state="idle", instance="other:9187"),
    ],
    "pg_settings_max_connections": [
        s("pg_settings_max_connections", 200, instance="pg:9187"),
        s("pg_settings_max_connections", 100, instance="other:9187"),
    ],
    "pg_up": [s("pg_up", 1, instance="pg:9187"), s("pg_up", 0, instance="other:9187")],
}


def vector(query: str) -> dict[tuple[tuple[str, str], ...], float]:
    result = evaluate(query, STORE)
    assert result.scalar is None, f"{query} gave a scalar"
    return {tuple(sorted(x.labels.items())): x.value for x in result.vector}


def test_kafka_source_query_sums_partitions_by_either_group_label() -> None:
    query = PrometheusKafkaLag("http://127.0.0.1:1").query
    assert vector(query) == {
        (("consumergroup", "kyc"), ("topic", "cases")): 42,
        (("group", "aml"), ("topic", "req")): 5,
    }


def test_tenant_source_queries_take_the_max_per_tenant() -> None:
    queries = PrometheusTenantQuota("http://127.0.0.1:1").queries
    assert vector(queries["checks_month"]) == {(("tenant", "acme"),): 960, (("tenant", "zen"),): 10}
    assert vector(queries["license_limit"]) == {
        (("tenant", "acme"),): 1000,
        (("tenant", "zen"),): 0,
    }
    assert vector(queries["rne_balance"]) == {}


def test_exporter_source_queries_with_and_without_filters() -> None:
    plain = ExporterConnections("http://127.0.0.1:1").queries
    assert plain["states"] == "sum by (state) (pg_stat_activity_count{})"
    assert vector(plain["states"]) == {(("state", "active"),): 7, (("state", "idle"),): 143}
    assert vector(plain["max"]) == {(): 200}
    assert vector(plain["up"]) == {(): 0}
    scoped = ExporterConnections("http://127.0.0.1:1", instance="pg:9187", datname="kyc").queries
    assert vector(scoped["states"]) == {(("state", "active"),): 7, (("state", "idle"),): 90}
    assert vector(scoped["max"]) == {(): 200}
    assert vector(scoped["up"]) == {(): 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('pg_up{instance!="pg:9187"}', 1),
        ('pg_stat_activity_count{state=~"id.*", datname!~"kyc"}', 1),
        ('pg_stat_activity_count{state=~"idle"}', 3),
        ('pg_stat_activity_count{state=~"dle"}', 0),  # regexes are anchored
        ('{__name__=~"pg_.*", instance="pg:9187"}', 5),
        ('pg_up{job=""}', 2),  # an empty value matches the missing label
    ],
)
def test_label_matchers(query: str, expected: int) -> None:
    assert len(evaluate(query, STORE).vector) == expected


def test_aggregations_by_and_without() -> None:
    lag = "kafka_consumer_lag"
    assert vector(f"count without (partition) ({lag})") == {
        (("consumergroup", "kyc"), ("topic", "cases")): 2,
        (("group", "aml"), ("topic", "req")): 1,
    }
    assert vector(f"min by (topic) ({lag})") == {(("topic", "cases"),): 10, (("topic", "req"),): 5}
    assert vector(f"avg({lag}) by (consumergroup)") == {(("consumergroup", "kyc"),): 21, (): 5}
    assert vector(f"sum({lag})") == {(): 47}


def test_arithmetic_comparison_and_one_to_one_matching() -> None:
    ratio = "sum by (tenant) (tenant_checks_month) / (sum by (tenant) (license_limit) > 0)"
    assert vector(ratio) == {(("tenant", "acme"),): 1.91}
    assert vector(ratio + " > 2") == {}
    # A comparison filters and keeps the metric name; arithmetic drops it.
    kept = evaluate("pg_up > 0", STORE).vector
    assert [x.labels["__name__"] for x in kept] == ["pg_up"]
    assert vector("pg_up * 2 + 1") == {
        (("instance", "other:9187"),): 1,
        (("instance", "pg:9187"),): 3,
    }
    assert vector("pg_up == bool 1") == {
        (("instance", "other:9187"),): 0,
        (("instance", "pg:9187"),): 1,
    }
    on = 'tenant_checks_month{instance="a"} / on (tenant) license_limit'
    assert vector(on) == {(("tenant", "acme"),): 0.96, (("tenant", "zen"),): math.inf}
    ignoring = 'tenant_checks_month{instance="a"} - ignoring (instance) license_limit'
    assert vector(ignoring) == {(("tenant", "acme"),): -40, (("tenant", "zen"),): 10}
    usage = "sum(pg_stat_activity_count) / max(pg_settings_max_connections)"
    assert vector(usage) == {(): 0.75}


def test_scalars_sorting_and_unary_minus() -> None:
    assert evaluate("1 + 2 * 3 - 4 / 2", STORE) == Result(5.0)
    assert evaluate("2 > bool 1", STORE) == Result(1.0)
    ordered = evaluate("sort_desc(sum by (topic) (kafka_consumer_lag))", STORE)
    assert ordered.ordered and [x.value for x in ordered.vector] == [42, 5]
    assert [x.value for x in evaluate("sort(-pg_up)", STORE).vector] == [-1, 0]
    assert vector("abs(-pg_up)") == {
        (("instance", "other:9187"),): 0,
        (("instance", "pg:9187"),): 1,
    }


def test_answer_shape_matches_the_prometheus_api() -> None:
    data = evaluate("sum by (state) (pg_stat_activity_count)", STORE).to_data(1700000000.5)
    assert data == {
        "resultType": "vector",
        "result": [
            {"metric": {"state": "active"}, "value": [1700000000.5, "7"]},
            {"metric": {"state": "idle"}, "value": [1700000000.5, "143"]},
        ],
    }
    assert evaluate("3", STORE).to_data(1.0) == {"resultType": "scalar", "result": [1.0, "3"]}
    assert [format_value(v) for v in (0.25, 1e20, math.nan, -math.inf, 12.0)] == [
        "0.25", "1e+20", "NaN", "-Inf", "12",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("rate(http_requests_total[5m])", "rate() is not supported"),
        ("kafka_consumer_lag[5m]", "range vectors"),
        ("kafka_consumer_lag offset 5m", "offset"),
        ("pg_up and pg_up", "'and' is not supported"),
        ("pg_up / on (instance) group_left pg_up", "group_left"),
        ("{}", "non-empty matcher"),
        ('{job=""}', "non-empty matcher"),
        ('pg_up{instance=~"("}', "invalid regular expression"),
        ("sum(pg_up", "end of query"),
        ("pg_up{instance=pg}", "quoted string"),
        ("1 > 2", "bool modifier"),
        ("sum(1)", "expected an instant vector"),
        ("", "empty query"),
        ("pg_up pg_up", "unexpected"),
        ("pg_up $", "unexpected"),
        ("license_limit / on (tenant) tenant_checks_month", "duplicate series"),
        ("license_limit / ignoring (instance) tenant_checks_month", "duplicate series"),
        ("tenant_checks_month / on (tenant) max by (tenant) (license_limit)", "many-to-many"),
    ],
)
def test_refusals_are_one_line_errors(query: str, message: str) -> None:
    with pytest.raises(PromQLError, match=re.escape(message)) as caught:
        evaluate(query, STORE)
    assert "\n" not in str(caught.value)
