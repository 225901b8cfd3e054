"""PostgreSQL connection strings checked without libpq (psycopg costs ~0.7 s to import)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

LIBPQ_KEYWORDS = frozenset(
    [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "require_auth",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "sslnegotiation",
        "requiressl",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslkeylogfile",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
    ]
)
"""Keywords libpq 15-17 accepts in a key=value connection string."""

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEMES = ("postgresql://", "postgres://")


def dsn_problem(dsn: str) -> str | None:
    """Why `dsn` is not a libpq connection string, or None when it is one.

    The reason never quotes a value (values may be passwords); keyword names are shown.
    """
    if dsn.startswith(_SCHEMES):
        return _uri_problem(dsn)
    if "://" in dsn:
        return "a URI must start with postgresql:// or postgres://"
    for key, _value in _pairs(dsn):
        if key is None:
            return _value
        if key not in LIBPQ_KEYWORDS:
            return f"unknown keyword {key[:40]!r}"
    return None


def dsn_password(dsn: str) -> str | None:
    """The password written inside `dsn`, if any (to redact it from every output)."""
    if dsn.startswith(_SCHEMES):
        try:
            parts = urlsplit(dsn)
        except ValueError:
            return None
        if parts.password:
            return unquote(parts.password)
        found = re.search(r"(?:^|&)password=([^&]*)", parts.query)
        return unquote(found.group(1)) if found else None
    for key, value in _pairs(dsn):
        if key == "password":
            return value
    return None


def _uri_problem(dsn: str) -> str | None:
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return "the URI cannot be parsed"
    for host in parts.netloc.rpartition("@")[2].split(","):
        port = host.rpartition("]")[2].rpartition(":")
        if port[1] and port[2] and not port[2].isdigit():
            return "a port in the URI is not a number"
    for pair in filter(None, parts.query.split("&")):
        key = pair.partition("=")[0]
        if key not in LIBPQ_KEYWORDS:
            return f"unknown parameter {key[:40]!r} in the URI"
    return None


def _pairs(dsn: str) -> list[tuple[str | None, str]]:
    """(keyword, value) pairs; a (None, reason) pair ends the list at the first error."""
    pairs: list[tuple[str | None, str]] = []
    at, end = 0, len(dsn)
    while True:
        while at < end and dsn[at].isspace():
            at += 1
        if at >= end:
            return pairs
        key = _KEY.match(dsn, at)
        if key is None:
            return [*pairs, (None, "expected a keyword (key=value pairs separated by spaces)")]
        at = key.end()
        while at < end and dsn[at].isspace():
            at += 1
        if at >= end or dsn[at] != "=":
            return [*pairs, (None, f'missing "=" after keyword {key.group()[:40]!r}')]
        at += 1
        while at < end and dsn[at].isspace():
            at += 1
        value: list[str] = []
        if at < end and dsn[at] == "'":
            at += 1
            while at < end and dsn[at] != "'":
                at += 2 if dsn[at] == "\\" else 1
                value.append(dsn[at - 1])
            if at >= end:
                return [*pairs, (None, "unterminated quoted value")]
            at += 1
        else:
            while at < end and not dsn[at].isspace():
                at += 2 if dsn[at] == "\\" and at + 1 < end else 1
                value.append(dsn[at - 1])
        pairs.append((key.group(), "".join(value)))
