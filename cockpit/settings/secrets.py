"""Secrets by reference only: spot literal secrets in a config, resolve `*_env` / `*_file`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cockpit.settings.errors import ConfigError

SECRET_KEYS = frozenset({"token", "password", "api_key", "routing_key", "secret", "bearer_token"})
"""Keys that would hold a secret as a literal value; they are refused wherever they appear."""

_SECRET_SUFFIXES = ("_token", "_password", "_secret", "_api_key", "_routing_key")
_CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"}
)
_CREDENTIAL_WORDS = ("token", "secret", "password", "apikey", "api-key", "auth")
_CREDENTIAL_VALUE = re.compile(r"^\s*(bearer|basic|token)\s+\S", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(r"(^|\s)password\s*=", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    """True for a key name that would carry a secret literally (not `*_env` / `*_file`)."""
    return key in SECRET_KEYS or key.endswith(_SECRET_SUFFIXES)


def secret_key_advice(key: str, table: tuple[str, ...]) -> str:
    """The message for a literal secret: what is refused and the keys to use instead."""
    if table and table[-1] == "postgres" and key == "password":
        return (
            "a password cannot be written in the config file; "
            "use dsn_env or dsn_file, or keep it in a PGPASSFILE (~/.pgpass)"
        )
    return (
        "a secret cannot be written in the config file; "
        f'set {key}_env = "VAR" (an environment variable) or {key}_file = "PATH" (a file)'
    )


def find_literal_secrets(
    data: Mapping[str, Any], path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], str]]:
    """Every `(dotted path, message)` where a secret-named key holds a literal value."""
    found: list[tuple[tuple[str, ...], str]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            # `headers` tables are judged by header name in the transport model instead.
            if key not in ("headers", "headers_env"):
                found.extend(find_literal_secrets(value, (*path, key)))
        elif is_secret_key(key):
            found.append(((*path, key), secret_key_advice(key, path)))
    return found


def check_header(name: str, value: str) -> None:
    """Refuse a header that carries a credential as a literal value."""
    lowered = name.lower()
    credential_name = lowered in _CREDENTIAL_HEADERS or any(
        word in lowered for word in _CREDENTIAL_WORDS
    )
    if credential_name or _CREDENTIAL_VALUE.match(value):
        raise ValueError(
            f"header {name} carries a credential and cannot be a literal value; "
            f'use headers_env = {{ "{name}" = "VAR" }} or bearer_token_env / bearer_token_file'
        )


def check_dsn(dsn: str) -> str:
    """Refuse a PostgreSQL DSN (URI or key=value form) that contains a password."""
    has_password = False
    if "://" in dsn:
        parts = urlsplit(dsn)
        has_password = bool(parts.password) or "password" in parse_qs(parts.query)
    else:
        has_password = bool(_KEYWORD_PASSWORD.search(dsn))
    if has_password:
        raise ValueError(
            "password in dsn is refused; use dsn_env or dsn_file, "
            "or keep the password in a PGPASSFILE (~/.pgpass)"
        )
    return dsn


def resolve_secret(
    env: str | None,
    file: str | Path | None,
    *,
    environ: Mapping[str, str],
    key: str | None = None,
) -> str | None:
    """Read a secret from the named environment variable or file; None when neither is set.

    Raises ConfigError naming the variable or the file when it is unset, empty or unreadable.
    Surrounding whitespace (the usual trailing newline of a secret file) is removed.
    """
    if env is not None and file is not None:
        raise ConfigError("set the _env or the _file reference, not both", key=key)
    if env is not None:
        value = environ.get(env, "")
        if not value.strip():
            raise ConfigError(
                f"environment variable {env} is not set or empty; export it before starting",
                key=key,
            )
        return value.strip()
    if file is not None:
        try:
            value = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8"
            raise ConfigError(f"secret file {file} is unreadable ({reason})", key=key) from None
        if not value.strip():
            raise ConfigError(f"secret file {file} is empty", key=key)
        return value.strip()
    return None
