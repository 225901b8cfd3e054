"""Configuration: TOML file -> typed, frozen Settings; errors name the file, line, key and fix.

Search order: `--config FILE`, then $COCKPIT_CONFIG, ./cockpit.toml, the user config file
(platformdirs, e.g. ~/.config/cockpit/config.toml); with none, built-in defaults. Secrets
are never values in the file: `*_env` names an environment variable, `*_file` a file.
The implementation lives in `cockpit.settings`; import from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from cockpit.settings.backends import HttpSourceSettings, KubernetesSettings, PostgresSettings
from cockpit.settings.errors import ConfigError, ConfigUnreadable, ConfigWarning
from cockpit.settings.load import (
    CONFIG_ENV,
    ENVIRONMENT_ENV,
    config_search_paths,
    default_author,
    load_settings,
    user_config_file,
)
from cockpit.settings.model import (
    ActiveEnvironment,
    ConfigFile,
    EnvironmentSettings,
    Settings,
)
from cockpit.settings.secrets import SECRET_KEYS, resolve_secret
from cockpit.settings.tables import (
    SOURCE_NAMES,
    IncidentSettings,
    PagerDutySettings,
    RunbooksSettings,
    SourcesSettings,
    StatuspageSettings,
    UiSettings,
    UserSettings,
)


def check_main(
    path: str | None,
    *,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`cockpit config check [FILE]`: 0 valid, 1 invalid (or warnings with `strict`),
    2 missing/unreadable; findings go to stderr, one line each, and an OK line to stdout."""
    # Imported here: the checker is only needed by this subcommand, not at cockpit start.
    from cockpit.settings.check import check_main as run

    return run(path, strict=strict, environ=environ, cwd=cwd, out=out, err=err)


__all__ = [
    "CONFIG_ENV",
    "ENVIRONMENT_ENV",
    "SECRET_KEYS",
    "SOURCE_NAMES",
    "ActiveEnvironment",
    "ConfigError",
    "ConfigFile",
    "ConfigUnreadable",
    "ConfigWarning",
    "EnvironmentSettings",
    "HttpSourceSettings",
    "IncidentSettings",
    "KubernetesSettings",
    "PagerDutySettings",
    "PostgresSettings",
    "RunbooksSettings",
    "Settings",
    "SourcesSettings",
    "StatuspageSettings",
    "UiSettings",
    "UserSettings",
    "check_main",
    "config_search_paths",
    "default_author",
    "load_settings",
    "resolve_secret",
    "user_config_file",
]
