"""`cockpit config check`: validate a config file and say so in one line per finding."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

from cockpit.settings.dsn import dsn_problem
from cockpit.settings.errors import ConfigError, ConfigUnreadable, ConfigWarning
from cockpit.settings.lite import Table
from cockpit.settings.load import Loaded, choose_environment, config_search_paths, read_config

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def _references(
    model: Table, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str, str | Path]]:
    """Every secret/file reference in the model: (key path, 'env' or 'file', value)."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        here = (*path, name)
        if isinstance(value, Table):
            yield from _references(value, here)
        elif name == "environments":
            for env, table in value.items():
                yield from _references(table, (*here, env))
        elif name == "headers_env":
            for header, var in value.items():
                yield (*here, header), "env", var
        elif value is None:
            continue
        elif name.endswith("_env"):
            yield here, "env", value
        elif name.endswith("_file") or name == "kubeconfig":
            yield here, "file", value


_DSN_KEYS = frozenset(
    {
        "dsn_env",
        "dsn_file",
        "mitigation_dsn_env",
        "mitigation_dsn_file",
        "store_dsn_env",
        "store_dsn_file",
    }
)


def _dsn_problem(kind: str, value: str | Path, environ: Mapping[str, str]) -> str | None:
    if kind == "env":
        return dsn_problem(environ.get(str(value), "").strip())
    try:
        return dsn_problem(Path(value).read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        return None  # unreadable files are reported at start, naming the file


def reference_warnings(loaded: Loaded, environ: Mapping[str, str]) -> list[ConfigWarning]:
    """References that would fail on this machine: unset variables, missing files.

    Warnings, not errors: the file is often checked on a laptop, then used on a bastion.
    """
    found: list[ConfigWarning] = []
    lines = loaded.parsed.lines
    for path, kind, value in _references(loaded.parsed.config, ()):
        if kind == "env" and not environ.get(str(value)):
            message = f"environment variable {value} is not set here"
        elif kind == "file" and not Path(value).is_file():
            message = f"file {value} does not exist here"
        elif path[-1] in _DSN_KEYS and (problem := _dsn_problem(kind, value, environ)):
            # Said without the value: a DSN may carry a password.
            where = f"environment variable {value}" if kind == "env" else f"file {value}"
            message = f"{where} holds no valid connection string ({problem})"
        else:
            continue
        found.append(ConfigWarning(message, loaded.shown, lines.line_of(path), ".".join(path)))
    for directory in loaded.parsed.config.runbooks.paths:
        if not directory.is_dir():
            line = lines.line_of(("runbooks", "paths"))
            found.append(
                ConfigWarning(
                    f"directory {directory} does not exist here",
                    loaded.shown,
                    line,
                    "runbooks.paths",
                )
            )
    return found


def check_main(
    path: str | None,
    *,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Validate `path` (or the file the search order finds) and report; returns the exit code.

    0: valid (one `OK` line on stdout; warnings on stderr, and exit 1 for them with
    `strict`). 1: invalid content, one `error:` line per problem. 2: missing or unreadable.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        loaded = read_config(path, environ, cwd)
    except ConfigError as exc:
        for warning in exc.warnings:
            print(f"warning: {warning}", file=err)
        for problem in exc.all:
            print(f"error: {problem}", file=err)
        return EXIT_UNREADABLE if isinstance(exc, ConfigUnreadable) else EXIT_INVALID
    if loaded.file is None:
        searched = ", ".join(str(p) for p in config_search_paths(environ, cwd))
        print(f"OK: no config file found (searched {searched}); built-in defaults", file=out)
        return EXIT_OK
    _, env_warnings = choose_environment(loaded, None, {})
    warnings = [*loaded.parsed.warnings, *env_warnings, *reference_warnings(loaded, environ)]
    for warning in warnings:
        print(f"warning: {warning}", file=err)
    config = loaded.parsed.config
    names = [
        f"{name} (default)" if name == config.default_environment else name
        for name in sorted(config.environments)
    ]
    listed = ", ".join(names) if names else "none (top-level tables only)"
    note = f"; {len(warnings)} warning(s)" if warnings else ""
    print(f"OK: {loaded.shown}: environments: {listed}{note}", file=out)
    return EXIT_INVALID if strict and warnings else EXIT_OK
