"""Tables shared by every environment: paging, status page, incident log, UI, user, sources."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Literal

from cockpit.paths import default_log_dir
from cockpit.settings.lite import AfterValidator, Field, Table, field_validator, model_validator
from cockpit.settings.secrets import Secret, resolve_secret
from cockpit.settings.types import TABLE_CONFIG, ConfigPath, EnvVar, Name, Seconds, Url, only_one_of

SourceName = Literal["prometheus", "alertmanager", "postgres", "kubernetes", "pagerduty"]
SOURCE_NAMES: tuple[SourceName, ...] = (
    "prometheus",
    "alertmanager",
    "postgres",
    "kubernetes",
    "pagerduty",
)
"""The pollable sources, each feeding one or more panes."""

DEFAULT_INTERVALS: dict[SourceName, float] = {"pagerduty": 30.0}
"""Built-in poll intervals for sources with tight rate limits."""

MetricPane = Literal["kafka", "tenants", "postgres"]
DEFAULT_JOBS: dict[MetricPane, str] = {"kafka": "auto", "tenants": "auto", "postgres": "auto"}
"""Prometheus job feeding each metric pane: "auto" learns it from the series' `job` label."""


def _check_job(value: str) -> str:
    if len(value) > 200 or not value.isprintable():
        raise ValueError(
            f"{value[:40]!r} is not a Prometheus job name: give the `job` label of the exporter "
            '(printable, at most 200 characters), "auto" to learn it, or "" to skip the check'
        )
    return value


JobName = Annotated[str, AfterValidator(_check_job)]


class PagerDutySettings(Table):
    """PagerDuty REST API (incidents, on-call) and Events API v2 (trigger/resolve)."""

    model_config = TABLE_CONFIG

    token_env: EnvVar | None = None
    token_file: ConfigPath | None = None
    api_url: Url = "https://api.pagerduty.com"
    events_url: Url = "https://events.pagerduty.com"
    routing_key_env: EnvVar | None = None
    routing_key_file: ConfigPath | None = None
    service_ids: list[Name] = Field(default_factory=list)
    escalation_policy_id: Name | None = None
    from_email: str | None = None
    timeout_seconds: Seconds = 5.0

    @field_validator("from_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and ("@" not in value or " " in value.strip()):
            raise ValueError(f"{value!r} is not an email address (PagerDuty's From header)")
        return value

    @model_validator(mode="after")
    def _one_source_each(self) -> PagerDutySettings:
        only_one_of(self, "token_env", "token_file")
        only_one_of(self, "routing_key_env", "routing_key_file")
        return self

    def token(self, environ: Mapping[str, str]) -> str | None:
        """The REST API token, or None when PagerDuty is not configured."""
        return resolve_secret(self.token_env, self.token_file, environ=environ, key="token")

    def routing_key(self, environ: Mapping[str, str]) -> str | None:
        """The Events API v2 integration key, or None when not configured."""
        return resolve_secret(
            self.routing_key_env, self.routing_key_file, environ=environ, key="routing_key"
        )


class StatuspageSettings(Table):
    """Where status updates are posted (a webhook); its URL may embed a token, so it can
    also come from an environment variable or a file."""

    model_config = TABLE_CONFIG

    webhook_url: Url | None = None
    webhook_url_env: EnvVar | None = None
    webhook_url_file: ConfigPath | None = None
    private: bool = False
    """True when the page is internal (staff only); drafts are labelled accordingly."""
    timeout_seconds: Seconds = 5.0

    @model_validator(mode="after")
    def _one_url_source(self) -> StatuspageSettings:
        only_one_of(self, "webhook_url", "webhook_url_env", "webhook_url_file")
        return self

    def resolved_webhook_url(self, environ: Mapping[str, str]) -> str | None:
        """The webhook URL from wherever it is configured; None when not configured."""
        if self.webhook_url is not None:
            return self.webhook_url
        return resolve_secret(
            self.webhook_url_env, self.webhook_url_file, environ=environ, key="webhook_url"
        )


class IncidentSettings(Table):
    """The incident log and how incidents are labelled."""

    model_config = TABLE_CONFIG

    log_dir: ConfigPath = Field(default_factory=default_log_dir)
    watch_log_keep_hours: Annotated[float, Field(gt=0)] = 72.0
    """How long the background watch log (no incident open) is kept before rotation."""
    severity_scheme: Literal["sev", "p"] = "sev"
    """`sev`: SEV-1 (worst) .. SEV-4; `p`: P0 (worst) .. P3."""
    author: Name | None = None
    """Who writes log events; unset means user@host, computed at start."""
    people: list[Name] = Field(default_factory=list)
    """Names offered when assigning roles (free text is always accepted too)."""
    escalate_after_minutes: Annotated[float, Field(gt=0)] = 15.0
    """L1 -> L2 after this long without progress."""
    escalate_l3_after_minutes: Annotated[float, Field(gt=0)] = 30.0
    """L2 -> L3 after this long without remediation."""
    role_reminder_minutes: Annotated[float, Field(gt=0)] = 10.0
    status_reminder_minutes: Annotated[float, Field(gt=0)] = 30.0
    weekend: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=lambda: [6, 7])
    """ISO weekdays off for business-day SLAs (6 = Saturday, 7 = Sunday)."""
    holidays: list[date] = Field(default_factory=list)
    leak_terms: list[Name] = Field(default_factory=list)
    """Internal names the status-page leak guard warns about, besides those it already knows."""
    store: Literal["file", "postgres"] = "file"
    """`postgres`: one shared chain per incident in PostgreSQL (plus the local JSONL mirror)."""
    store_dsn_env: EnvVar | None = None
    store_dsn_file: ConfigPath | None = None

    @model_validator(mode="after")
    def _store_dsn(self) -> IncidentSettings:
        only_one_of(self, "store_dsn_env", "store_dsn_file")
        if self.store == "postgres" and self.store_dsn_env is None and self.store_dsn_file is None:
            raise ValueError(
                'store = "postgres" needs store_dsn_env or store_dsn_file (the login of the '
                "shared incident log)"
            )
        return self

    def store_dsn(self, environ: Mapping[str, str]) -> Secret | None:
        """The shared store's DSN as a Secret; None with the file store."""
        if self.store != "postgres":
            return None
        value = resolve_secret(
            self.store_dsn_env, self.store_dsn_file, environ=environ, key="store_dsn"
        )
        return None if value is None else Secret(value)


class RunbooksSettings(Table):
    """Extra runbook directories, searched in addition to the shipped runbooks."""

    model_config = TABLE_CONFIG

    paths: list[ConfigPath] = Field(default_factory=list)


class UiSettings(Table):
    """Screen refresh and look."""

    model_config = TABLE_CONFIG

    refresh_seconds: Annotated[float, Field(gt=0, le=300)] = 2.0
    theme: Name = "textual-dark"


class UserSettings(Table):
    """Who is at the keyboard; a `viewer` never gets mutating actions."""

    model_config = TABLE_CONFIG

    name: Name | None = None
    role: Literal["responder", "viewer"] = "responder"


class SourcesSettings(Table):
    """Which sources are polled and how often. A source also needs its own table filled
    in (a URL, a DSN...) to be polled."""

    model_config = TABLE_CONFIG

    enabled: list[SourceName] = Field(default_factory=lambda: list(SOURCE_NAMES))
    interval_seconds: Seconds | None = None
    """Default poll interval; unset means `[ui] refresh_seconds`."""
    intervals: dict[SourceName, Seconds] = Field(default_factory=lambda: dict(DEFAULT_INTERVALS))
    """Per-source overrides, added to the built-in ones (PagerDuty: every 30 s)."""
    jobs: dict[MetricPane, JobName] = Field(default_factory=lambda: dict(DEFAULT_JOBS))
    """Prometheus job behind each metric pane, whose `up` says whether absence is an outage."""
    max_answer_mb: Annotated[float, Field(gt=0, le=512)] = 8.0
    """Largest HTTP answer a source accepts, in MB (decoded); larger ones fail the poll."""

    @field_validator("intervals", mode="before")
    @classmethod
    def _over_defaults(cls, value: object) -> object:
        return {**DEFAULT_INTERVALS, **value} if isinstance(value, dict) else value

    @field_validator("jobs", mode="before")
    @classmethod
    def _jobs_over_defaults(cls, value: object) -> object:
        return {**DEFAULT_JOBS, **value} if isinstance(value, dict) else value

    def interval_for(self, source: str, refresh_seconds: float) -> float:
        """The poll interval of `source` in seconds."""
        fallback = self.interval_seconds if self.interval_seconds is not None else refresh_seconds
        for name, seconds in self.intervals.items():
            if name == source:
                return seconds
        return fallback
