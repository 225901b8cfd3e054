"""Tables an environment may override: Prometheus-like HTTP sources, PostgreSQL, Kubernetes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from cockpit.settings.lite import AfterValidator, Field, Table, field_validator, model_validator
from cockpit.settings.secrets import (
    Secret,
    check_conninfo,
    check_dsn,
    check_header,
    resolve_secret,
)
from cockpit.settings.types import (
    TABLE_CONFIG,
    ConfigPath,
    EnvVar,
    HeaderName,
    Name,
    Seconds,
    Url,
    only_one_of,
)

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class HttpSourceSettings(Table):
    """A Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics) or
    Alertmanager: where it is and how to reach it. No `url` means the source is off."""

    model_config = TABLE_CONFIG

    url: Url | None = None
    headers: dict[HeaderName, str] = Field(default_factory=dict)
    """Extra plain headers sent with every request, e.g. X-Scope-OrgID for Mimir tenants."""
    headers_env: dict[HeaderName, EnvVar] = Field(default_factory=dict)
    """Headers whose value is read from an environment variable (credentials go here)."""
    bearer_token_env: EnvVar | None = None
    bearer_token_file: ConfigPath | None = None
    ca_file: ConfigPath | None = None
    verify_tls: bool = True
    timeout_seconds: Seconds = 5.0

    @field_validator("headers")
    @classmethod
    def _no_credential_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            check_header(name, value)
        return headers

    @model_validator(mode="after")
    def _one_token_source(self) -> HttpSourceSettings:
        only_one_of(self, "bearer_token_env", "bearer_token_file")
        return self

    def resolved_headers(self, environ: Mapping[str, str]) -> dict[str, str | Secret]:
        """All headers to send: plain ones, `headers_env` ones and the bearer token (those
        two as Secrets, revealed only inside the HTTP client).

        Raises ConfigError naming the variable or file when a reference cannot be read.
        """
        result: dict[str, str | Secret] = dict(self.headers)
        for name, var in self.headers_env.items():
            value = resolve_secret(var, None, environ=environ, key=f"headers_env.{name}")
            if value is not None:
                result[name] = Secret(value)
        token = resolve_secret(
            self.bearer_token_env, self.bearer_token_file, environ=environ, key="bearer_token"
        )
        if token is not None:
            result["Authorization"] = Secret(f"Bearer {token}")
        return result


class PostgresSettings(Table):
    """The PostgreSQL database the cockpit watches; the DSN never holds a password."""

    model_config = TABLE_CONFIG

    dsn: Annotated[str, AfterValidator(check_dsn)] | None = None
    dsn_env: EnvVar | None = None
    dsn_file: ConfigPath | None = None
    mitigation_dsn_env: EnvVar | None = None
    mitigation_dsn_file: ConfigPath | None = None
    """A second login for runbook SQL mitigations only (unset: those steps are refused)."""
    connect_timeout_seconds: Seconds = 3.0
    statement_timeout_ms: Annotated[int, Field(gt=0, le=600_000)] = 3000
    application_name: Name = "cockpit"

    @model_validator(mode="after")
    def _one_dsn_source(self) -> PostgresSettings:
        only_one_of(self, "dsn", "dsn_env", "dsn_file")
        only_one_of(self, "mitigation_dsn_env", "mitigation_dsn_file")
        return self

    @property
    def configured(self) -> bool:
        """True when some DSN source is set (otherwise the PostgreSQL pane is off)."""
        return any(v is not None for v in (self.dsn, self.dsn_env, self.dsn_file))

    def conninfo(self, environ: Mapping[str, str]) -> str | None:
        """The DSN from wherever it is configured; None when PostgreSQL is not configured.

        A DSN that libpq could not parse is a ConfigError naming the key, never the value.
        """
        secret = self.dsn_secret(environ)
        return None if secret is None else secret.reveal()

    def dsn_secret(self, environ: Mapping[str, str]) -> Secret | None:
        """The DSN as a Secret (it may carry a password from the environment or a file)."""
        if self.dsn is not None:
            return Secret(self.dsn)
        return _checked_dsn(self.dsn_env, self.dsn_file, environ, "dsn")

    def mitigation_conninfo(self, environ: Mapping[str, str]) -> str | None:
        """The DSN runbook SQL mitigations use; None when no mitigation login is configured."""
        secret = _checked_dsn(
            self.mitigation_dsn_env, self.mitigation_dsn_file, environ, "mitigation_dsn"
        )
        return None if secret is None else secret.reveal()

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `psycopg.connect` carrying the deadlines and our name."""
        return {
            # libpq takes whole seconds and treats values below 2 as 2.
            "connect_timeout": max(2, round(self.connect_timeout_seconds)),
            "application_name": self.application_name,
            "options": f"-c statement_timeout={self.statement_timeout_ms}",
        }


def _checked_dsn(
    env: str | None, file: object | None, environ: Mapping[str, str], key: str
) -> Secret | None:
    where = f"[postgres] {key}_env {env}" if env else f"[postgres] {key}_file {file}"
    value = resolve_secret(env, file if file is None else str(file), environ=environ, key=where)
    if value is None:
        return None
    return Secret(check_conninfo(value, where))


class KubernetesSettings(Table):
    """Which cluster and namespace; empty values mean the kubeconfig's own defaults."""

    model_config = TABLE_CONFIG

    kubeconfig: ConfigPath | None = None
    context: Name | None = None
    namespace: str | None = None
    timeout_seconds: Seconds = 5.0

    @field_validator("namespace")
    @classmethod
    def _dns_label(cls, value: str | None) -> str | None:
        if value is not None and (len(value) > 63 or not _DNS_LABEL.match(value)):
            raise ValueError(
                f"{value!r} is not a Kubernetes namespace name (lowercase letters, digits, '-')"
            )
        return value


BACKEND_TABLES: dict[str, type[Table]] = {
    "prometheus": HttpSourceSettings,
    "alertmanager": HttpSourceSettings,
    "postgres": PostgresSettings,
    "kubernetes": KubernetesSettings,
}
"""The tables a `[environments.NAME]` section may override, by key."""

EXCLUSIVE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"bearer_token_env", "bearer_token_file"}),
    frozenset({"dsn", "dsn_env", "dsn_file"}),
    frozenset({"mitigation_dsn_env", "mitigation_dsn_file"}),
)
"""Keys of which at most one is set: an override of one member clears the others."""
