"""The `[argocd]` table (server, token by reference, managed applications) and `[grafana]`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from cockpit.grafana import GrafanaTemplates, template_problem
from cockpit.settings.lite import AfterValidator, Field, Table, model_validator
from cockpit.settings.secrets import Secret, resolve_secret
from cockpit.settings.types import (
    TABLE_CONFIG,
    ConfigPath,
    EnvVar,
    KeyValueError,
    Seconds,
    Url,
    only_one_of,
)

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def _app_name(value: str) -> str:
    if len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
        raise ValueError(
            f"{value[:60]!r} is not an Argo CD application name (lowercase letters, digits, "
            "'-' and '.')"
        )
    return value


def _label(value: str) -> str:
    if len(value) > 63 or not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value[:60]!r} is not a Kubernetes name (lowercase letters, digits, '-'; 63 at most)"
        )
    return value


AppName = Annotated[str, AfterValidator(_app_name)]
K8sLabel = Annotated[str, AfterValidator(_label)]


class ArgoApplication(Table):
    """What one Argo CD application owns: the Kubernetes deployment it keeps in sync."""

    model_config = TABLE_CONFIG

    namespace: K8sLabel
    deployment: K8sLabel


class ArgoCdSettings(Table):
    """The Argo CD server `argocd` runbook steps talk to, and the applications it manages.

    A Kubernetes `rollout-undo` on a deployment listed here is refused: Argo CD's self-heal
    would put the newer release back; the step's `argocd` rollback is named instead.
    """

    model_config = TABLE_CONFIG

    base_url: Url | None = None
    token_env: EnvVar | None = None
    token_file: ConfigPath | None = None
    verify_tls: bool = True
    ca_file: ConfigPath | None = None
    timeout_seconds: Seconds = 5.0
    applications: dict[AppName, ArgoApplication] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> ArgoCdSettings:
        only_one_of(self, "token_env", "token_file")
        if self.base_url is None and self.applications:
            raise KeyValueError(
                "applications are listed but no base_url says where Argo CD is; set "
                'base_url = "https://argocd.example.internal"',
                f"applications.{next(iter(self.applications))}",
            )
        if self.base_url is not None and self.token_env is None and self.token_file is None:
            raise KeyValueError(
                "Argo CD needs an API token: set token_env (an environment variable) or "
                "token_file (a file) naming where the token is",
                "token_env",
            )
        owners: dict[tuple[str, str], str] = {}
        for name, app in self.applications.items():
            key = (app.namespace, app.deployment)
            if key in owners:
                raise KeyValueError(
                    f"deployment {app.namespace}/{app.deployment} is claimed by applications "
                    f"{owners[key]} and {name}: one application owns a deployment",
                    f"applications.{name}.deployment",
                )
            owners[key] = name
        return self

    def token(self, environ: Mapping[str, str]) -> Secret | None:
        """The API token as a Secret; None when Argo CD is not configured."""
        value = resolve_secret(self.token_env, self.token_file, environ=environ, key="token")
        return None if value is None else Secret(value)


def _template(value: str) -> str:
    # Whether a leading-/ template has a base_url is checked on the whole table.
    problem = template_problem(value, "https://grafana.invalid")
    if problem is not None:
        raise ValueError(problem)
    return value


Template = Annotated[str, AfterValidator(_template)]


class GrafanaSettings(Table):
    """Grafana URL templates; `y` copies the highlighted item's link (see README)."""

    model_config = TABLE_CONFIG

    base_url: Url | None = None
    dashboard: Template | None = None
    """Alerts, pane rows and k8s/sql steps, e.g. /d/api/latency?var-service={service}."""
    explore: Template | None = None
    """promql and logql steps (their query is {expr}, or {expr_json} as a JSON string)."""

    @model_validator(mode="after")
    def _base_for_paths(self) -> GrafanaSettings:
        for key in ("dashboard", "explore"):
            value = getattr(self, key)
            if value is not None and self.base_url is None:
                problem = template_problem(value)
                if problem is not None:
                    raise KeyValueError(problem, key)
        return self

    def templates(self) -> GrafanaTemplates:
        """The templates as plain values for the link builder."""
        return GrafanaTemplates(self.base_url or "", self.dashboard or "", self.explore or "")
