"""Builds the configured sources from settings: the one place that knows both sides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.log.events import SourcesConfigured
from cockpit.sources.base import Source, SourceError

if TYPE_CHECKING:  # annotations only: the settings tables load with the config, not here
    from cockpit.settings.backends import HttpSourceSettings
    from cockpit.settings.model import Settings
    from cockpit.sources._http import HttpOptions


@dataclass(frozen=True, slots=True)
class PlannedSource:
    """A source to poll and how often."""

    source: Source
    interval_s: float


def _http_kwargs(
    cfg: HttpSourceSettings, environ: Mapping[str, str], max_answer_mb: float = 8.0
) -> HttpOptions:
    return {
        "headers": cfg.resolved_headers(environ),
        "verify_tls": cfg.verify_tls,
        "ca_file": str(cfg.ca_file) if cfg.ca_file else None,
        "timeout_s": cfg.timeout_seconds,
        "max_body_bytes": round(max_answer_mb * 2**20),
    }


def build_sources(settings: Settings, environ: Mapping[str, str]) -> list[PlannedSource]:
    """The sources of the active environment that are enabled and configured.

    Alerts come from Alertmanager when it is configured, else from Prometheus' own alert
    list; PostgreSQL connections come from the database itself when a DSN is configured,
    else from the postgres exporter's metrics in Prometheus. Raises ConfigError when a
    secret reference cannot be resolved or a source refuses its settings.
    """
    try:
        return _build(settings, environ)
    except SourceError as err:  # e.g. a DSN libpq refuses: one line, never a traceback
        from cockpit.settings.errors import ConfigError

        raise ConfigError(err.message) from None


def _build(settings: Settings, environ: Mapping[str, str]) -> list[PlannedSource]:
    # Each source module is imported only when it is configured: their client packages
    # (httpx, psycopg) cost memory and start-up time.
    active = settings.active
    cfg = settings.config.sources
    enabled = set(cfg.enabled)
    prom = active.prometheus if "prometheus" in enabled and active.prometheus.url else None
    am = active.alertmanager if "alertmanager" in enabled and active.alertmanager.url else None
    pg = active.postgres if "postgres" in enabled and active.postgres.configured else None
    planned: list[PlannedSource] = []

    def plan(source: Source, config_name: str) -> None:
        planned.append(PlannedSource(source, settings.poll_interval(config_name)))

    cap = cfg.max_answer_mb
    if am is not None:
        from cockpit.sources.alertmanager import AlertmanagerAlerts

        plan(AlertmanagerAlerts(str(am.url), **_http_kwargs(am, environ, cap)), "alertmanager")
    elif prom is not None:
        from cockpit.sources.prometheus_alerts import PrometheusAlerts

        plan(PrometheusAlerts(str(prom.url), **_http_kwargs(prom, environ, cap)), "prometheus")
    if prom is not None:
        from cockpit.sources.kafka import PrometheusKafkaLag
        from cockpit.sources.tenants import PrometheusTenantQuota

        kwargs = _http_kwargs(prom, environ, cap)
        plan(PrometheusKafkaLag(str(prom.url), job=cfg.jobs["kafka"], **kwargs), "prometheus")
        tenants = PrometheusTenantQuota(str(prom.url), job=cfg.jobs["tenants"], **kwargs)
        plan(tenants, "prometheus")
    if pg is not None:
        dsn = pg.dsn_secret(environ)
        if dsn is not None:
            from cockpit.sources.postgres import PostgresConnections

            source = PostgresConnections(
                dsn,
                timeout_s=pg.connect_timeout_seconds + pg.statement_timeout_ms / 1000,
                connect_timeout_s=max(2, round(pg.connect_timeout_seconds)),
                statement_timeout_ms=pg.statement_timeout_ms,
                application_name=pg.application_name,
            )
            plan(source, "postgres")
    elif prom is not None:
        from cockpit.sources.pg_exporter import ExporterConnections

        exporter = ExporterConnections(
            str(prom.url), job=cfg.jobs["postgres"], **_http_kwargs(prom, environ, cap)
        )
        plan(exporter, "prometheus")
    return planned


def sources_event(settings: Settings, planned: list[PlannedSource]) -> SourcesConfigured:
    """The `sources.configured` event describing `planned` in the active environment."""
    active = settings.active
    return SourcesConfigured(
        sources=tuple(
            {"name": p.source.name, "kind": p.source.kind, "interval_s": p.interval_s}
            for p in planned
        ),
        environment=active.name,
        production=active.production,
        read_only=active.read_only,
    )


DEMO_INTERVAL_S = 2.0


def demo_sources(prometheus_url: str, alertmanager_url: str) -> list[PlannedSource]:
    """The real source classes pointed at the demo platform's loopback APIs."""
    from cockpit.sources.alertmanager import AlertmanagerAlerts
    from cockpit.sources.kafka import PrometheusKafkaLag
    from cockpit.sources.pg_exporter import ExporterConnections
    from cockpit.sources.tenants import PrometheusTenantQuota

    return [
        PlannedSource(AlertmanagerAlerts(alertmanager_url, timeout_s=2.0), DEMO_INTERVAL_S),
        PlannedSource(PrometheusKafkaLag(prometheus_url, timeout_s=2.0), DEMO_INTERVAL_S),
        PlannedSource(ExporterConnections(prometheus_url, timeout_s=2.0), DEMO_INTERVAL_S),
        PlannedSource(PrometheusTenantQuota(prometheus_url, timeout_s=2.0), DEMO_INTERVAL_S),
    ]
