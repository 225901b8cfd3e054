"""The platform's figures as Prometheus series, labelled like the real exporters label them."""

from __future__ import annotations

from cockpit.sim.inventory import (
    KAFKA_EXPORTER,
    PG_EXPORTER,
    PG_SERVER,
    TENANT_EXPORTER,
    service_target,
)
from cockpit.sim.platform import Platform
from cockpit.sim.promql_mini import Series

LATENCY_METRIC = "service:http_request_duration_seconds:p95_5m"
"""A recording-rule style series: the demo's PromQL has no rate() or histogram_quantile()."""

Store = dict[str, list[Series]]


def series_at(platform: Platform, t: float) -> Store:
    """Every series the demo's Prometheus holds at scenario time `t`, by metric name."""
    store: Store = {}

    def add(name: str, labels: dict[str, str], value: float) -> None:
        store.setdefault(name, []).append(Series({"__name__": name, **labels}, float(value)))

    for service, up in platform.up(t).items():
        add("up", service_target(service), up)
    for service, p95 in platform.latency_p95(t).items():
        add(LATENCY_METRIC, {"service": service, **service_target(service)}, p95)
    add("up", PG_EXPORTER, 1)
    add("up", KAFKA_EXPORTER, 1)
    add("up", TENANT_EXPORTER, 1)

    add("pg_up", PG_EXPORTER, 1)
    add(
        "pg_settings_max_connections",
        {"server": PG_SERVER, **PG_EXPORTER},
        platform.max_connections,
    )
    for (datname, state), count in platform.connections(t).items():
        labels = {"datname": datname, "server": PG_SERVER, "state": state, **PG_EXPORTER}
        add("pg_stat_activity_count", labels, count)

    for (group, topic, partition), lag in platform.lags(t).items():
        labels = {"consumergroup": group, "topic": topic, "partition": partition}
        add("kafka_consumer_lag", {**labels, **KAFKA_EXPORTER}, lag)

    for row in platform.tenants(t):
        tenant = {"tenant": row.tenant, **TENANT_EXPORTER}
        add("tenant_checks_month", tenant, row.checks_month)
        add("license_limit", tenant, row.license_limit)
        add("rne_subscription_balance", tenant, row.rne_balance)
        add("cert_expiry_days", {"domain": row.domain, **tenant}, row.cert_expiry_days)
    return store
