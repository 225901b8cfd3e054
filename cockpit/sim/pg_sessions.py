"""Real sessions on the demo's PostgreSQL, following the scripted connection counts.

Each second the driver compares the sessions it holds with the platform's figures per
(database, state) and opens or closes sessions: `idle`, `idle in transaction` (kyc-svc's
leak: a row locked and the transaction never ended) and `active` (a long query). A leaked
session that disappears without the driver closing it was terminated by someone (RB-004's
kill): the platform's leak is cut at that moment, so the simulated metrics and alerts agree
with the real server from then on.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cockpit.sim.demo import DemoPlatform
    from cockpit.sim.embedded_pg import EmbeddedPostgres

APP_ROLE = "app"
STATES = ("idle", "idle in transaction", "active")
LEAK = ("kyc", "idle in transaction")
LONG_QUERY = "SELECT pg_sleep(3600) /* kyc-svc: screening batch, waits on cases */"
OPEN_PER_TICK = 40


class SessionDriver:
    """Holds real sessions matching `platform`'s figures (see the module docstring)."""

    def __init__(
        self, platform: DemoPlatform, pg: EmbeddedPostgres, *, interval_s: float = 1.0
    ) -> None:
        self.platform = platform
        self.pg = pg
        self.interval_s = interval_s
        self.held: dict[tuple[str, str], list[Any]] = {}
        self.killed = 0
        """Leaked sessions terminated by someone else (the kill) so far."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._admin: Any = None
        self._row = 0

    def setup(self) -> None:
        """The application role and kyc's `cases` table (once, after the server started)."""
        import psycopg

        with psycopg.connect(self.pg.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        with psycopg.connect(self.pg.dsn("kyc"), autocommit=True) as conn:
            conn.execute("CREATE TABLE cases (id bigint PRIMARY KEY, status text)")
            conn.execute("INSERT INTO cases SELECT g, 'open' FROM generate_series(1, 1000) g")
            conn.execute(f"GRANT SELECT, UPDATE ON cases TO {APP_ROLE}")

    def start(self) -> SessionDriver:
        """Follow the figures in a daemon thread until stop()."""
        self._thread = threading.Thread(target=self._loop, name="demo-pg-sessions", daemon=True)
        self._thread.start()
        return self

    def halt(self) -> None:
        """Open nothing more (returns at once)."""
        self._stop.set()

    def stop(self) -> None:
        """Stop following and close the sessions held."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)
        for sessions in self.held.values():
            for conn in sessions:
                with contextlib.suppress(Exception):
                    conn.close()
        self.held.clear()
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a server going away ends the demo's story
                self.tick()
            self._stop.wait(self.interval_s)

    def targets(self) -> dict[tuple[str, str], int]:
        """Wanted sessions per (database, state) now (the `postgres` database is ours)."""
        counts = self.platform.platform.connections(self.platform.elapsed())
        return {k: n for k, n in counts.items() if k[1] in STATES and k[0] != "postgres"}

    def tick(self) -> None:
        """Notice terminated sessions, then open or close towards the targets."""
        self._reap()
        budget = OPEN_PER_TICK
        for key, want in sorted(self.targets().items()):
            sessions = self.held.setdefault(key, [])
            while len(sessions) > want:
                _close(sessions.pop())
            while len(sessions) < want and budget > 0 and not self._stop.is_set():
                budget -= 1
                try:
                    sessions.append(self._open(*key))
                except Exception:
                    budget = 0

    def _reap(self) -> None:
        import psycopg

        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(
                self.pg.dsn("postgres"), autocommit=True, application_name="demo-scenario"
            )
        rows = self._admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'"
        ).fetchall()
        live = {int(r[0]) for r in rows}
        for key, sessions in self.held.items():
            gone = [c for c in sessions if c.info.backend_pid not in live]
            for conn in gone:
                sessions.remove(conn)
                _close(conn)
            if gone and key == LEAK:
                self.killed += len(gone)
                self.platform.platform.cut_leak(self.platform.elapsed())

    def _open(self, database: str, state: str) -> Any:
        import psycopg

        app = "kyc-svc" if database == "kyc" else f"{database}-svc"
        conn = psycopg.connect(
            self.pg.dsn(database),
            user=APP_ROLE,
            application_name=app,
            autocommit=state != "idle in transaction",
            connect_timeout=2,
        )
        if state == "idle":
            conn.execute("SELECT 1")
        elif state == "active":
            conn.pgconn.send_query(LONG_QUERY.encode())
        elif database == "kyc":
            self._row = self._row % 1000 + 1
            conn.execute("SELECT status FROM cases WHERE id = %s FOR UPDATE", [self._row])
        else:
            conn.execute("SELECT 1")
        return conn


def _close(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.close()
