"""The demo's database: the embedded server, its scripted sessions, and the pane's source."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from cockpit.sim.embedded_pg import EmbeddedPgError, EmbeddedPostgres, install_dir
from cockpit.sim.inventory import DATABASES

if TYPE_CHECKING:
    from cockpit.sim.demo import DemoPlatform
    from cockpit.sim.pg_sessions import SessionDriver
    from cockpit.sources.base import Snapshot
    from cockpit.sources.postgres import PostgresConnections

READY_WAIT_S = 20.0
IDLE_IN_TRANSACTION_S = 60.0
"""The pane's "idle in transaction" threshold in the demo: its story is minutes long."""


def available() -> str:
    """ "" when the embedded server can run here, else why not (one line)."""
    try:
        install_dir()
        from cockpit.sim.embedded_pg import _system_user

        _system_user()
    except EmbeddedPgError as exc:
        return str(exc)
    return ""


class DemoDatabase:
    """Starts the server and the session driver off the UI thread; stop() ends both."""

    def __init__(self) -> None:
        self.server = EmbeddedPostgres(tuple(DATABASES))
        self.driver: SessionDriver | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    def start(self, platform: DemoPlatform) -> DemoDatabase:
        """Make the temp dir now (the DSN is fixed from here), start the rest in a thread."""
        self.server.prepare()
        self._thread = threading.Thread(
            target=self._run, args=(platform,), name="demo-postgres", daemon=True
        )
        self._thread.start()
        return self

    def _run(self, platform: DemoPlatform) -> None:
        from cockpit.sim.pg_sessions import SessionDriver

        try:
            self.server.start()
            driver = SessionDriver(platform, self.server)
            driver.setup()
        except Exception as exc:
            self.server.error = self.server.error or f"{type(exc).__name__}: {exc}"
            self.server.stop()
            self.server.ready.set()
            return
        with self._lock:
            if self._stopped.is_set():
                self.server.stop()
                return
            self.driver = driver.start()

    def dsn(self, database: str = "kyc") -> str:
        """The superuser DSN (the demo's steps and pane use it; nothing else reaches it)."""
        return self.server.dsn(database)

    def source(self) -> DeferredPostgres:
        """The real postgres source on this server, waiting for it on the first polls."""
        return DeferredPostgres(self)

    def stop(self, wait_s: float = 3.0) -> None:
        """Stop the sessions and the server (idempotent; safe from any thread); the server
        is killed when it has not shut down within `wait_s`."""
        with self._lock:
            self._stopped.set()
            driver, self.driver = self.driver, None
        if driver is not None:
            driver.halt()
        self.server.stop(wait_s)  # ends every session at once (fast shutdown)
        if driver is not None:
            driver.stop()


class DeferredPostgres:
    """`PostgresConnections` on the embedded server once it is up; until then a poll waits
    for it (a few seconds), then says what went wrong instead of showing a blank pane."""

    name = "postgres"
    kind = "postgres"

    def __init__(self, db: DemoDatabase) -> None:
        self.db = db
        self.dsn = db.dsn("kyc")  # the pane names the incident's database
        self._inner: PostgresConnections | None = None

    async def poll(self) -> Snapshot:
        from cockpit.sources.base import SourceError
        from cockpit.sources.postgres import PostgresConnections

        server = self.db.server
        if not server.ready.is_set():
            await asyncio.to_thread(server.ready.wait, READY_WAIT_S)
        if server.error:
            raise SourceError("connect", f"embedded PostgreSQL: {server.error}")
        if not server.ready.is_set():
            raise SourceError("timeout", "embedded PostgreSQL still starting")
        if self._inner is None:
            self._inner = PostgresConnections(
                self.dsn, timeout_s=3.0, connect_timeout_s=2,
                idle_in_transaction_s=IDLE_IN_TRANSACTION_S,
            )  # fmt: skip
        return await self._inner.poll()
