"""PostgreSQL connections from pg_stat_activity via psycopg 3, under a deadline of our own."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from cockpit.clock import monotonic
from cockpit.sanitize import clean
from cockpit.settings.secrets import Secret
from cockpit.sources import _values as v
from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.pg_query import COLUMNS, CONNECTIONS_SQL, normalise_row
from cockpit.sources.scheduler import STILL_RUNNING

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")

# libpq reports connection failures without an SQLSTATE: recognise them by their text.
_AUTH_TEXT = re.compile(r'authentication failed|pg_hba\.conf|password|role ".*" does not exist')
_NO_DATABASE = re.compile(r'database ".*" does not exist')


class _Attempt:
    """One poll's claim on the connection; an abandoned attempt closes what it holds."""

    __slots__ = ("abandoned",)

    def __init__(self) -> None:
        self.abandoned = False


class PostgresConnections:
    """Counts client connections by state and application, plus the two kinds of stuck session.

    psycopg is synchronous, so each poll runs in its own daemon thread. The poll's deadline
    is an asyncio timeout around that thread, not psycopg's own cancellation: against a
    frozen server (SIGSTOP) psycopg waits several seconds for its cancel request. On timeout
    the thread is left to finish on its own and its connection is discarded; until it has
    finished, polls fail at once with STILL_RUNNING instead of piling up threads.
    """

    kind = "postgres"

    def __init__(
        self,
        dsn: str | Secret,
        *,
        timeout_s: float = 5.0,
        connect_timeout_s: int = 3,
        statement_timeout_ms: int = 3000,
        long_running_s: float = 30.0,
        idle_in_transaction_s: float = 300.0,
        name: str = "postgres",
        application_name: str = "cockpit",
    ) -> None:
        import psycopg.conninfo

        if not 0 < timeout_s <= 300 or connect_timeout_s < 1 or statement_timeout_ms < 1:
            raise SourceError("config", "postgres timeouts must be positive (timeout_s <= 300)")
        if long_running_s < 0 or idle_in_transaction_s < 0:
            raise SourceError("config", "postgres thresholds must be >= 0 seconds")
        dsn = dsn.reveal() if isinstance(dsn, Secret) else dsn
        try:
            given = psycopg.conninfo.conninfo_to_dict(dsn)
        except psycopg.Error as exc:
            # libpq quotes the offending token, which may be a password: never show it.
            why = re.sub(r'"[^"]*"', '"…"', _first_line(exc))
            raise SourceError("config", f"postgres dsn is not valid: {why}") from None
        # Keep the user's own -c options; ours come last so they win.
        options = f"{given.get('options') or ''} -c statement_timeout={statement_timeout_ms}"
        options += " -c default_transaction_read_only=on"
        self._conninfo = Secret(
            psycopg.conninfo.make_conninfo(
                dsn,
                connect_timeout=connect_timeout_s,
                application_name=application_name,
                options=options.strip(),
            )
        )
        self.name = name
        self.timeout_s = timeout_s
        self.statement_timeout_ms = statement_timeout_ms
        self._params = {"long_running_s": long_running_s, "idle_s": idle_in_transaction_s}
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._busy = False
        self._current: _Attempt | None = None
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        """True while a poll's thread is still running (even an abandoned one)."""
        return self._busy

    async def poll(self) -> Snapshot:
        """Run the query once in a thread; give up at the deadline whatever psycopg does."""
        started = monotonic()
        if self.busy:
            raise SourceError("timeout", STILL_RUNNING)
        attempt = _Attempt()
        future = self._start(lambda: self._work(attempt))
        try:
            row = await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            self._abandon(attempt)
            raise SourceError(
                "timeout", f"no answer from PostgreSQL within {self.timeout_s:g} s"
            ) from None
        except asyncio.CancelledError:
            self._abandon(attempt)
            raise
        notes = v.Notes()
        item = normalise_row(row, notes)
        return v.snapshot(self.name, self.kind, [item], started, notes)

    async def aclose(self) -> None:
        """Close the kept connection (a running thread closes its own when it ends) and let
        the worker thread end once it is free."""
        with self._lock:
            conn, self._conn = self._conn, None
            if self._current is not None:
                self._current.abandoned = True
        self._jobs.put(None)
        self._worker = None
        if conn is not None:
            await asyncio.to_thread(conn.close)

    def _abandon(self, attempt: _Attempt) -> None:
        with self._lock:
            attempt.abandoned = True

    def _start(self, work: Callable[[], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def run() -> None:
            outcome: tuple[Any, BaseException | None]
            try:
                outcome = (work(), None)
            except BaseException as exc:  # handed to the awaiting poll, never lost silently
                outcome = (None, exc)
            # Cleared before the result is delivered, so the next poll may start at once.
            self._busy = False
            # The loop may be gone (shutdown while the server was frozen): nobody waits then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, *outcome)

        # One daemon thread of its own, not the default executor: a thread stuck on a frozen
        # server must neither block interpreter exit nor use up the executor's workers. It
        # lives as long as the source: a thread started for each poll cost the process a
        # thread start and its handshake every 2 s. Polls never overlap (`busy`), so a
        # stuck query holds up only this source, as it did.
        self._busy = True
        self._jobs.put(run)
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(
                target=_serve, args=(self._jobs,), name=f"cockpit-{self.name}", daemon=True
            )
            self._worker.start()
        return future

    def _work(self, attempt: _Attempt) -> dict[str, Any]:
        import psycopg

        with self._lock:
            conn, self._conn = self._conn, None
            self._current = attempt
        try:
            if conn is None or conn.closed or conn.broken:
                conn = psycopg.connect(self._conninfo.reveal(), autocommit=True)
            row = conn.execute(CONNECTIONS_SQL, self._params).fetchone()
        except psycopg.Error as exc:
            if conn is not None:
                conn.close()  # reconnect next poll; never retry inside this one
            raise self._classify(exc) from None
        with self._lock:
            keep = not attempt.abandoned
            if keep:
                self._conn = conn
        if not keep:
            conn.close()
        if row is None:
            raise SourceError("parse", "pg_stat_activity query returned no row")
        return dict(zip(COLUMNS, row, strict=True))

    def _classify(self, exc: Exception) -> SourceError:
        import psycopg.errors as pge

        text = _first_line(exc)
        if isinstance(exc, pge.QueryCanceled):
            limit = self.statement_timeout_ms
            return SourceError("timeout", f"query cancelled after statement_timeout {limit} ms")
        if isinstance(exc, pge.InsufficientPrivilege | pge.InvalidAuthorizationSpecification):
            return SourceError("auth", text)
        if _AUTH_TEXT.search(text):
            return SourceError("auth", text)
        if _NO_DATABASE.search(text):
            return SourceError("config", text)
        if isinstance(exc, pge.OperationalError | pge.InterfaceError):
            return SourceError("connect", text)
        return SourceError("parse", text)


def _serve(jobs: queue.SimpleQueue[Callable[[], None] | None]) -> None:
    """The source's worker thread: run each poll handed over, until None."""
    while (job := jobs.get()) is not None:
        job()


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the poll gave up (deadline or cancel): drop the late outcome
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return clean(lines[0] if lines else type(exc).__name__, single_line=True, max_len=200)
