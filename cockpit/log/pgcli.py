"""`cockpit log list|pull|migrate` and joining a shared incident from `cockpit record`."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import psycopg

from cockpit.clock import rfc3339
from cockpit.log.pgschema import StoreError, list_incidents, migrate
from cockpit.settings.secrets import Secret

_NO_STORE = (
    'no shared log is configured: set [incident] store = "postgres" and store_dsn_env or '
    "store_dsn_file in the config (see config.example.toml)"
)


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def store_dsn(config: str | None, env: str | None, environ: Mapping[str, str]) -> Secret | None:
    """The configured store's DSN (None with the file store); raises ConfigError."""
    from cockpit.config import load_settings

    settings = load_settings(config, env_name=env, environ=environ)
    return settings.incident.store_dsn(environ)


def _connect(config: str | None, env: str | None, what: str) -> psycopg.Connection[Any] | int:
    from cockpit.config import ConfigError

    try:
        dsn = store_dsn(config, env, dict(os.environ))
    except ConfigError as err:
        _err(f"cockpit log {what}: {err}")
        return 2
    if dsn is None:
        _err(f"cockpit log {what}: {_NO_STORE}")
        return 2
    try:
        return psycopg.connect(dsn.reveal(), autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _err(f"cockpit log {what}: the shared log is unreachable: {exc}")
        return 1


def migrate_main(config: str | None, env: str | None) -> int:
    """Create or upgrade the store's schema; exit 0 done, 1 unreachable/failed, 2 config."""
    conn = _connect(config, env, "migrate")
    if isinstance(conn, int):
        return conn
    with conn:
        try:
            before, after = migrate(conn)
        except (StoreError, psycopg.Error) as exc:
            _err(f"cockpit log migrate: {str(exc).splitlines()[0]}")
            return 1
    done = "schema up to date" if before == after else f"schema migrated {before} -> {after}"
    sys.stdout.write(done + "\n")
    return 0


def list_main(config: str | None, env: str | None) -> int:
    """Print one line per incident in the store: id, events, created, last event."""
    conn = _connect(config, env, "list")
    if isinstance(conn, int):
        return conn
    with conn:
        migrate(conn)
        rows = list_incidents(conn)
    for row in rows:
        last = rfc3339(row.last_ts) if row.last_ts else "-"
        created = rfc3339(row.created)
        sys.stdout.write(f"{row.incident}\t{row.last_seq} events\tcreated {created}\tlast {last}\n")
    if not rows:
        _err("no incident in the shared log yet")
    return 0


def pull_main(config: str | None, env: str | None, incident: str, output: str) -> int:
    """Write one incident's chain to OUTPUT (a file `cockpit verify` accepts)."""
    from cockpit.log.pgpull import pull

    conn = _connect(config, env, "pull")
    if isinstance(conn, int):
        return conn
    with conn:
        migrate(conn)
        try:
            count = pull(conn, incident, output)
        except LookupError as exc:
            _err(f"cockpit log pull: {exc.args[0]}")
            return 1
        except OSError as exc:
            _err(f"cockpit log pull: cannot write {output}: {exc.strerror}")
            return 2
    _err(f"{count} lines of {incident} written to {output}")
    return 0
