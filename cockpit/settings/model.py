"""The whole config file as one model, named environments, and the effective Settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar

from cockpit.settings.argo_grafana import ArgoCdSettings, GrafanaSettings
from cockpit.settings.backends import (
    EXCLUSIVE_GROUPS,
    HttpSourceSettings,
    KubernetesSettings,
    PostgresSettings,
)
from cockpit.settings.export import ExportSettings
from cockpit.settings.lite import Field, StringConstraints, Table, field_validator
from cockpit.settings.slack_github import GitHubSettings, SlackSettings
from cockpit.settings.tables import (
    IncidentSettings,
    PagerDutySettings,
    RunbooksSettings,
    SourcesSettings,
    StatuspageSettings,
    UiSettings,
    UserSettings,
)
from cockpit.settings.types import TABLE_CONFIG

PRODUCTION_NAMES = frozenset({"prod", "production", "prd", "live"})
"""Environment names taken as production unless the table says `production = false`."""

BASE_ENVIRONMENT = "default"
"""Name of the active view when no named environment is chosen (top-level tables only)."""

_COLOR = re.compile(r"^(#[0-9a-fA-F]{6}|[a-z][a-z_]*)$")
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
M = TypeVar("M", bound=Table)


class EnvironmentSettings(Table):
    """A `[environments.NAME]` section: overrides of the backend tables plus its marking.

    Keys set in an override table replace the top-level ones one by one (a `headers`
    table is replaced whole); setting one of `dsn` / `dsn_env` / `dsn_file` (or of the
    bearer token pair) clears the others inherited from the top level.
    """

    model_config = TABLE_CONFIG

    prometheus: HttpSourceSettings | None = None
    alertmanager: HttpSourceSettings | None = None
    postgres: PostgresSettings | None = None
    kubernetes: KubernetesSettings | None = None
    read_only: bool = False
    """True hides every mutating action in this environment, whatever the user's role."""
    production: bool | None = None
    """Unset: production when the name is prod, production, prd or live."""
    color: str | None = None
    """Banner colour (a name like `red` or `#rrggbb`); production defaults to red."""

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        if value is not None and not _COLOR.match(value):
            raise ValueError(f"{value!r} is not a colour: use a name like red or #rrggbb")
        return value


class ConfigFile(Table):
    """Everything a config file may hold (see config.example.toml for each key)."""

    model_config = TABLE_CONFIG

    default_environment: str | None = None
    prometheus: HttpSourceSettings = Field(default_factory=HttpSourceSettings)
    alertmanager: HttpSourceSettings = Field(default_factory=HttpSourceSettings)
    loki: HttpSourceSettings = Field(default_factory=HttpSourceSettings)
    """Where `logql` runbook steps query logs (no url: those steps say so)."""
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    kubernetes: KubernetesSettings = Field(default_factory=KubernetesSettings)
    pagerduty: PagerDutySettings = Field(default_factory=PagerDutySettings)
    statuspage: StatuspageSettings = Field(default_factory=StatuspageSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    github: GitHubSettings = Field(default_factory=GitHubSettings)
    incident: IncidentSettings = Field(default_factory=IncidentSettings)
    runbooks: RunbooksSettings = Field(default_factory=RunbooksSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    user: UserSettings = Field(default_factory=UserSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    export: ExportSettings = Field(default_factory=ExportSettings)
    environments: dict[EnvName, EnvironmentSettings] = Field(default_factory=dict)
    argocd: ArgoCdSettings = Field(default_factory=ArgoCdSettings)
    grafana: GrafanaSettings = Field(default_factory=GrafanaSettings)


@dataclass(frozen=True, slots=True)
class ActiveEnvironment:
    """The effective backend settings of the chosen environment (overrides applied).

    `name` is the environment's name, or "default" when the top-level tables are used
    as they are. `production` environments get a red banner unless `color` says otherwise.
    """

    name: str
    prometheus: HttpSourceSettings
    alertmanager: HttpSourceSettings
    postgres: PostgresSettings
    kubernetes: KubernetesSettings
    read_only: bool
    production: bool
    color: str | None


def merge_table(base: M, override: M | None) -> M:
    """`base` with the keys explicitly set in `override` replacing its own."""
    if override is None:
        return base
    update = {key: getattr(override, key) for key in override.model_fields_set}
    for group in EXCLUSIVE_GROUPS:
        if group & update.keys():
            for key in group - update.keys():
                if key in type(base).model_fields:
                    update[key] = None
    return base.model_copy(update=update)


def activate(config: ConfigFile, name: str | None) -> ActiveEnvironment:
    """The effective view of environment `name` (None: the top-level tables alone)."""
    env = config.environments[name] if name is not None else EnvironmentSettings()
    production = env.production
    if production is None:
        production = name is not None and name.lower() in PRODUCTION_NAMES
    return ActiveEnvironment(
        name=name if name is not None else BASE_ENVIRONMENT,
        prometheus=merge_table(config.prometheus, env.prometheus),
        alertmanager=merge_table(config.alertmanager, env.alertmanager),
        postgres=merge_table(config.postgres, env.postgres),
        kubernetes=merge_table(config.kubernetes, env.kubernetes),
        read_only=env.read_only,
        production=production,
        color=env.color or ("red" if production else None),
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """The loaded configuration: every table, the active environment, and where it came from.

    `active` is what sources should use for Prometheus, Alertmanager, PostgreSQL and
    Kubernetes (the top-level tables are the defaults it was built from). `source` is
    the file read (None: built-in defaults). `warnings` are problems that did not stop
    loading (unknown keys...), one line each, for the UI to show.
    """

    config: ConfigFile
    active: ActiveEnvironment
    author: str
    source: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def pagerduty(self) -> PagerDutySettings:
        """The `[pagerduty]` table."""
        return self.config.pagerduty

    @property
    def statuspage(self) -> StatuspageSettings:
        """The `[statuspage]` table."""
        return self.config.statuspage

    @property
    def slack(self) -> SlackSettings:
        """The `[slack]` table."""
        return self.config.slack

    @property
    def github(self) -> GitHubSettings:
        """The `[github]` table."""
        return self.config.github

    @property
    def incident(self) -> IncidentSettings:
        """The `[incident]` table."""
        return self.config.incident

    @property
    def runbooks(self) -> RunbooksSettings:
        """The `[runbooks]` table."""
        return self.config.runbooks

    @property
    def ui(self) -> UiSettings:
        """The `[ui]` table."""
        return self.config.ui

    @property
    def user(self) -> UserSettings:
        """The `[user]` table."""
        return self.config.user

    @property
    def sources(self) -> SourcesSettings:
        """The `[sources]` table."""
        return self.config.sources

    @property
    def argocd(self) -> ArgoCdSettings:
        """The `[argocd]` table."""
        return self.config.argocd

    @property
    def grafana(self) -> GrafanaSettings:
        """The `[grafana]` table."""
        return self.config.grafana

    @property
    def environments(self) -> Mapping[str, EnvironmentSettings]:
        """The named environments, by name."""
        return self.config.environments

    @property
    def mutations_allowed(self) -> bool:
        """False for a viewer or a read-only environment (the CLI's --read-only adds to it)."""
        return self.config.user.role == "responder" and not self.active.read_only

    def poll_interval(self, source: str) -> float:
        """Seconds between two polls of `source`."""
        return self.config.sources.interval_for(source, self.config.ui.refresh_seconds)
