"""Field types shared by the settings tables: URLs, env var names, paths, durations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from cockpit.settings.lite import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    Table,
    ValidationInfo,
)

_ENV_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")

TABLE_CONFIG = ConfigDict(frozen=True, extra="forbid", strict=True)
"""Every table: immutable, unknown keys refused, no silent coercion of TOML types."""


def _check_url(value: str) -> str:
    # Fail at load time rather than at the first poll, when the cause is harder to see.
    parts = urlsplit(value)
    # Never echo a URL that may carry credentials (user:password@host).
    shown = repr(value) if "@" not in value else "(URL with credentials hidden)"
    if "://" not in value:
        raise ValueError(
            f"unreachable URL format {shown}: no scheme; write it as http://host[:port] "
            "or https://host[:port]"
        )
    if parts.password:
        raise ValueError(
            "a password inside the URL is refused; pass credentials by reference "
            "(bearer_token_env, bearer_token_file or headers_env)"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"unreachable URL format {shown}: expected http(s)://host[:port][/path]")
    try:
        _ = parts.port
    except ValueError:
        raise ValueError(f"unreachable URL format {shown}: the port is not a number") from None
    return value.rstrip("/")


def _check_env_name(value: str) -> str:
    # A value that is not a variable name is most often the secret itself pasted in.
    if not _ENV_VAR.match(value):
        raise ValueError(
            "expected the NAME of an environment variable (letters, digits, _), "
            "not the secret itself"
        )
    return value


def _check_header_name(value: str) -> str:
    if not _HEADER_NAME.match(value):
        raise ValueError(f"{value!r} is not a valid HTTP header name")
    return value


def _to_path(value: object, info: ValidationInfo) -> Path:
    """Accept a path string; `~` is expanded and relative paths follow the config file."""
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError("expected a path (a non-empty string)")
    path = Path(value).expanduser()
    base = (info.context or {}).get("base_dir")
    if not path.is_absolute() and isinstance(base, Path):
        path = base / path
    return path


Url = Annotated[str, AfterValidator(_check_url)]
"""An http(s) URL with a host; a trailing slash is dropped."""

EnvVar = Annotated[str, AfterValidator(_check_env_name)]
"""The name of an environment variable that holds a secret."""

HeaderName = Annotated[str, AfterValidator(_check_header_name)]

ConfigPath = Annotated[Path, BeforeValidator(_to_path)]
"""A file or directory; relative to the config file's directory when not absolute."""

Seconds = Annotated[float, Field(gt=0, le=3600)]
"""A positive duration in seconds (an hour at most: these are deadlines and intervals)."""

Name = Annotated[str, Field(min_length=1, max_length=200)]


class KeyValueError(ValueError):
    """A table-level problem that is best pointed at one key of the table (for its line)."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def only_one_of(model: Table, *keys: str) -> None:
    """Refuse a table where more than one of `keys` (alternative sources of a value) is set."""
    chosen = [key for key in keys if getattr(model, key) is not None]
    if len(chosen) > 1:
        raise KeyValueError(
            f"set only one of {', '.join(keys)}, not {' and '.join(chosen)}", chosen[-1]
        )
