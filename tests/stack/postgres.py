"""A throwaway PostgreSQL 15 cluster on loopback, run as the `postgres` user (it refuses root)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from .ports import LOOPBACK, StackError, free_port, wait_until
from .procs import ManagedProcess, require_binary

PG_BIN = Path("/usr/lib/postgresql/15/bin")
APT_PACKAGE = "postgresql-15"
SCHEMA = Path(__file__).with_name("schema.sql")
MAX_CONNECTIONS = 40
_STOP_SIGNALS = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}


class PostgresServer:
    """PostgreSQL with database `kyc` (schema.sql loaded) and the read-only role `cockpit_ro`."""

    def __init__(self, max_connections: int = MAX_CONNECTIONS) -> None:
        self._initdb = require_binary(str(PG_BIN / "initdb"), APT_PACKAGE)
        self._postgres = require_binary(str(PG_BIN / "postgres"), APT_PACKAGE)
        self.max_connections = max_connections
        self.host = LOOPBACK
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))
        self.datadir = self.base / "data"
        self.socket_dir = self.base / "sock"
        # PostgreSQL refuses to run as root: as root, run it as `postgres`; else as ourselves.
        self._run_as = "postgres" if os.geteuid() == 0 else None
        if self._run_as is not None:
            try:
                pwd.getpwnam(self._run_as)
            except KeyError:
                pytest.fail(f"no `postgres` user: install the Debian package `{APT_PACKAGE}`")
        self._proc: ManagedProcess | None = None

    @property
    def dsn(self) -> str:
        """Superuser DSN to database `kyc`."""
        return f"host={self.host} port={self.port} dbname=kyc user=postgres connect_timeout=3"

    @property
    def ro_dsn(self) -> str:
        """DSN of the read-only `cockpit_ro` login (pg_monitor + SELECT on the tables)."""
        return f"host={self.host} port={self.port} dbname=kyc user=cockpit_ro connect_timeout=3"

    @property
    def url(self) -> str:
        """The read-only login as a URL (libpq/lib/pq style, e.g. for the exporter)."""
        return f"postgresql://cockpit_ro@{self.host}:{self.port}/kyc?sslmode=disable"

    def setup(self) -> PostgresServer:
        """initdb, start, create `kyc` and load the schema."""
        self.socket_dir.mkdir()
        if self._run_as is not None:
            owner = pwd.getpwnam(self._run_as)
            for path in (self.base, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        argv = [self._initdb, "-D", str(self.datadir), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]  # fmt: skip
        result = subprocess.run(
            argv, user=self._run_as, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise StackError(f"initdb failed ({result.returncode}):\n{result.stderr[-2000:]}")
        settings = {
            "listen_addresses": f"'{self.host}'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "max_connections": str(self.max_connections),
            # Durability is pointless for a throwaway test cluster and costs startup time.
            "fsync": "off",
            "full_page_writes": "off",
            "shared_buffers": "16MB",
            "logging_collector": "off",
        }
        with (self.datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# cockpit test stack\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        for attempt in range(3):
            try:
                self.start()
                break
            except StackError as exc:
                # Another process took the port after free_port() probed it: take a new one.
                if "could not bind" not in str(exc) or attempt == 2:
                    raise
                self.stop("immediate")
                self.port = free_port()
        with psycopg.connect(self._dsn_for("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE kyc")
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(SCHEMA.read_text(encoding="utf-8").encode())
        return self

    def _dsn_for(self, dbname: str) -> str:
        return f"host={self.host} port={self.port} dbname={dbname} user=postgres connect_timeout=2"

    def start(self) -> None:
        """Start the postmaster and wait until it accepts connections."""
        if self._proc is not None and self._proc.alive():
            return
        argv = [self._postgres, "-D", str(self.datadir), "-p", str(self.port)]
        log = self.base / "postgres.log"
        self._proc = ManagedProcess("postgres", argv, log, user=self._run_as)
        self._proc.start()
        proc = self._proc

        def accepts() -> bool:
            with psycopg.connect(self._dsn_for("postgres")) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)

        wait_until(accepts, timeout=15, what="PostgreSQL", log_tail=proc.log_tail, alive=proc.alive)

    def stop(self, mode: str = "fast") -> None:
        """Shut down: smart, fast (default) or immediate (crash-like, recovery on next start)."""
        if mode not in _STOP_SIGNALS:
            raise ValueError(f"unknown stop mode {mode!r}; use smart, fast or immediate")
        if self._proc is not None:
            self._proc.stop(_STOP_SIGNALS[mode], timeout=15)
            self._proc = None

    def restart(self, mode: str = "fast") -> None:
        """Stop with `mode`, then start again on the same port and data directory."""
        self.stop(mode)
        self.start()

    def pid(self) -> int | None:
        """The postmaster's pid (for SIGSTOP/SIGCONT tests), or None when stopped."""
        return self._proc.pid if self._proc is not None else None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server log."""
        return self._proc.log_tail(lines) if self._proc else "(not running)"

    def cleanup(self) -> None:
        """Stop (immediate: the data is thrown away) and delete the temp directory."""
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)
