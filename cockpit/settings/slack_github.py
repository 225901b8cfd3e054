"""`[slack]` and `[github]`: where the incident channel and the incident ticket live."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from cockpit.settings.lite import AfterValidator, Field, Table, model_validator
from cockpit.settings.secrets import Secret, resolve_secret
from cockpit.settings.types import (
    TABLE_CONFIG,
    ConfigPath,
    EnvVar,
    KeyValueError,
    Name,
    Seconds,
    Url,
    only_one_of,
)

_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")
_LABEL = re.compile(r"^[^,\x00-\x1f]{1,50}$")


def _channel(value: str) -> str:
    name = value.removeprefix("#")
    if not _CHANNEL.match(name):
        raise ValueError(
            f"{value!r} is not a Slack channel name: lowercase letters, digits, - and _, "
            "at most 80 characters (e.g. incidents)"
        )
    return name


def _user_id(value: str) -> str:
    if not _USER_ID.match(value):
        raise ValueError(
            f"{value!r} is not a Slack member id: copy it from the person's Slack profile "
            "(Copy member ID), e.g. U012AB3CD"
        )
    return value


def _repository(value: str) -> str:
    if not _REPOSITORY.match(value):
        raise ValueError(f"{value!r} is not a repository: write it as owner/name")
    return value


def _label(value: str) -> str:
    if not _LABEL.match(value):
        raise ValueError(f"{value!r} is not a GitHub label: 1-50 characters, no comma")
    return value


Channel = Annotated[str, AfterValidator(_channel)]
SlackUserId = Annotated[str, AfterValidator(_user_id)]
Repository = Annotated[str, AfterValidator(_repository)]
Label = Annotated[str, AfterValidator(_label)]


def _needs_token(model: SlackSettings | GitHubSettings, table: str, what: str) -> None:
    only_one_of(model, "token_env", "token_file")
    if model.enabled and model.token_env is None and model.token_file is None:
        raise KeyValueError(
            f"[{table}] enabled = true needs token_env or token_file ({what})", "enabled"
        )


class SlackSettings(Table):
    """The incident channel (created on declare) and the incidents channel (announcements)."""

    model_config = TABLE_CONFIG

    enabled: bool = False
    base_url: Url = "https://slack.com/api"
    token_env: EnvVar | None = None
    token_file: ConfigPath | None = None
    incidents_channel: Channel | None = None
    """Where acknowledgements are announced (unset: only the incident channel)."""
    people: dict[Name, SlackUserId] = Field(default_factory=dict)
    """Names as the cockpit writes them (role holders, authors) -> Slack member ids."""
    timeout_seconds: Seconds = 5.0

    @model_validator(mode="after")
    def _token(self) -> SlackSettings:
        _needs_token(self, "slack", "a bot token with channels:manage and chat:write")
        return self

    def token(self, environ: Mapping[str, str]) -> Secret | None:
        """The bot token as a Secret; None when not configured."""
        value = resolve_secret(self.token_env, self.token_file, environ=environ, key="slack.token")
        return None if value is None else Secret(value)


class GitHubSettings(Table):
    """The repository whose issues are the incident tickets (GitHub or GitHub Enterprise)."""

    model_config = TABLE_CONFIG

    enabled: bool = False
    base_url: Url = "https://api.github.com"
    """GitHub Enterprise: https://HOST/api/v3."""
    repository: Repository | None = None
    token_env: EnvVar | None = None
    token_file: ConfigPath | None = None
    labels: list[Label] = Field(default_factory=list)
    """Labels added to every incident issue, besides `incident` and the severity."""
    timeout_seconds: Seconds = 5.0

    @model_validator(mode="after")
    def _token(self) -> GitHubSettings:
        _needs_token(self, "github", "a token allowed to write issues")
        if self.enabled and self.repository is None:
            raise KeyValueError(
                '[github] enabled = true needs repository = "owner/name"', "enabled"
            )
        return self

    def token(self, environ: Mapping[str, str]) -> Secret | None:
        """The token as a Secret; None when not configured."""
        value = resolve_secret(self.token_env, self.token_file, environ=environ, key="github.token")
        return None if value is None else Secret(value)
