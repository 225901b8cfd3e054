"""Find the config file (search order), load it, pick the environment, build Settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from cockpit.sanitize import clean
from cockpit.settings.errors import ConfigError, ConfigUnreadable, ConfigWarning
from cockpit.settings.model import ConfigFile, Settings, activate
from cockpit.settings.parse import Parsed, parse_text, read_text

CONFIG_ENV = "COCKPIT_CONFIG"
"""Environment variable naming the config file (after --config, before ./cockpit.toml)."""

ENVIRONMENT_ENV = "COCKPIT_ENV"
"""Environment variable naming the environment (after --env, before default_environment)."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """A parsed config and where it came from; `file` None means built-in defaults."""

    parsed: Parsed
    file: Path | None
    shown: str | None


def user_config_file() -> Path:
    """The per-user config file (platformdirs' user config dir, e.g. ~/.config/cockpit)."""
    return Path(platformdirs.user_config_dir("cockpit")) / "config.toml"


def config_search_paths(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> list[Path]:
    """The files tried, in order, when no --config is given: $COCKPIT_CONFIG (when set),
    ./cockpit.toml, then the user config file. The first that exists wins; a
    $COCKPIT_CONFIG naming a missing file is an error rather than skipped."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    paths: list[Path] = []
    named = environ.get(CONFIG_ENV, "")
    if named:
        paths.append(cwd / Path(named).expanduser())
    paths.append(cwd / "cockpit.toml")
    paths.append(user_config_file())
    return paths


def read_config(path: str | None, environ: Mapping[str, str], cwd: Path) -> Loaded:
    """Locate and parse the config: `path` if given, else the search order, else defaults."""
    if path is not None:
        file, shown = cwd / Path(path).expanduser(), path
    elif environ.get(CONFIG_ENV):
        file = cwd / Path(environ[CONFIG_ENV]).expanduser()
        shown = str(file)
        if not file.exists():
            raise ConfigUnreadable(f"config file not found (named by ${CONFIG_ENV})", shown)
    else:
        candidates = config_search_paths(environ, cwd)
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            return Loaded(parse_text("", None, cwd), None, None)
        file, shown = found, str(found)
    text = read_text(file, shown)
    return Loaded(parse_text(text, shown, file.parent), file, shown)


def choose_environment(
    loaded: Loaded, env_name: str | None, environ: Mapping[str, str]
) -> tuple[str | None, list[ConfigWarning]]:
    """The environment to activate (None: top-level tables) and any warning about the choice.

    Order: `env_name` (--env), $COCKPIT_ENV, `default_environment`. With environments
    defined and none chosen, the top-level tables are used and a warning says so.
    """
    config: ConfigFile = loaded.parsed.config
    name = env_name or environ.get(ENVIRONMENT_ENV) or config.default_environment
    if name is None:
        if not config.environments:
            return None, []
        known = ", ".join(sorted(config.environments))
        warning = ConfigWarning(
            f"environments are defined ({known}) but none is chosen: using the top-level "
            "tables; set default_environment or pass --env NAME",
            loaded.shown,
        )
        return None, [warning]
    if name not in config.environments:
        import difflib  # only on this error path

        names = sorted(config.environments)
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        listed = ", ".join(names) or "none defined"
        raise ConfigError(
            f"unknown environment {name!r}{hint}; known: {listed}", loaded.shown, key="--env"
        )
    return name, []


def default_author(environ: Mapping[str, str]) -> str:
    """`user@host` for log events when `[incident] author` is not set."""
    import socket  # a few ms at start; needed only when no author is configured

    user = environ.get("USER") or environ.get("LOGNAME") or environ.get("USERNAME")
    if not user:  # no login variables (cron, some tmux or sudo set-ups): the account name
        import pwd

        try:
            user = pwd.getpwuid(os.getuid()).pw_name
        except KeyError:
            user = f"uid{os.getuid()}"
    host = socket.gethostname().split(".")[0] or "localhost"
    return clean(f"{user}@{host}", single_line=True, max_len=200)


def load_settings(
    path: str | None = None,
    *,
    env_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Load the effective settings: the file (`path`, else the search order, else built-in
    defaults), validated, with the chosen environment applied.

    Raises ConfigError (one line; `.all` lists every problem) for a missing or unreadable
    file, a TOML syntax error, a wrong type or value, a literal secret, an unknown
    environment. Unknown keys do not raise: they are in `Settings.warnings`.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    loaded = read_config(path, environ, cwd)
    name, env_warnings = choose_environment(loaded, env_name, environ)
    config = loaded.parsed.config
    warnings = [*loaded.parsed.warnings, *env_warnings]
    return Settings(
        config=config,
        active=activate(config, name),
        author=config.incident.author or default_author(environ),
        source=loaded.file,
        warnings=tuple(str(w) for w in warnings),
    )
