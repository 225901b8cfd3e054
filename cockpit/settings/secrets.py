"""Secrets by reference only: spot literal secrets in a config, resolve `*_env` / `*_file`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cockpit.settings.dsn import dsn_password, dsn_problem
from cockpit.settings.errors import ConfigError

MASK = "***"

_KNOWN: set[str] = set()
"""Every secret value resolved in this process: crash reports and errors are scrubbed of them."""

_MIN_REDACT = 4
"""Shorter values are not scrubbed (masking every `a` would garble output, reveal nothing)."""

_PATTERNS = (
    re.compile(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)"),
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(://[^/\s:@]*:)[^@\s/]+(@)"),
)


class Secret:
    """A secret value that never prints: `str`, `repr` and f-strings give `***`.

    `reveal()` hands the value to the one call that needs it (an HTTP header, a libpq
    connect). Creating one registers the value, so `redact` scrubs it from any text.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember(value)

    def reveal(self) -> str:
        """The value itself: pass it straight to the client library, never to text."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled")


def remember(value: str) -> None:
    """Register a secret value (and a DSN's password) for `redact`."""
    for part in (value, value.strip(), dsn_password(value) or ""):
        if len(part) >= _MIN_REDACT:
            _KNOWN.add(part)


def redact(text: str) -> str:
    """`text` with every known secret value, DSN password, `Bearer` token and URL password
    replaced by `***`."""
    for value in sorted(_KNOWN, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    text = _PATTERNS[0].sub(rf"\g<1>{MASK}", text)
    text = _PATTERNS[1].sub(rf"\g<1>{MASK}", text)
    return _PATTERNS[2].sub(rf"\g<1>{MASK}\g<2>", text)


def reveal(value: str | Secret | None) -> str | None:
    """The plain value of a Secret (a plain str passes through)."""
    return value.reveal() if isinstance(value, Secret) else value


def check_conninfo(dsn: str, key: str) -> str:
    """`dsn` when libpq can parse it, else a ConfigError naming `key`, never the value."""
    problem = dsn_problem(dsn)
    if problem is not None:
        raise ConfigError(f"not a valid connection string ({problem})", key=key)
    return dsn


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
    problem = dsn_problem(dsn)
    if problem is not None:
        raise ValueError(f"not a valid connection string ({problem})")
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
        remember(value)
        return value.strip()
    if file is not None:
        try:
            value = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8"
            raise ConfigError(f"secret file {file} is unreadable ({reason})", key=key) from None
        if not value.strip():
            raise ConfigError(f"secret file {file} is empty", key=key)
        remember(value)
        return value.strip()
    return None
