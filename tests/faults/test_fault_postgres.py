"""PostgreSQL faults the source-level tests do not cover, and what the PostgreSQL pane shows."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from appkit import build_app, status_line, wait_until
from fakeapi import FaultyApi
from stack.postgres import MAX_CONNECTIONS, PostgresServer

from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.base import SourceError
from cockpit.sources.postgres import PostgresConnections
from cockpit.wiring import PlannedSource

pytestmark = pytest.mark.servers

APP = "cockpit-faults"
INTERVAL_S = 0.5
DEADLINE_S = 1.0
SLACK_S = 2.0
"""psycopg connects in a thread; a restarting server on a loaded 2-core box needs room."""


def source(pg: PostgresServer) -> PostgresConnections:
    return PostgresConnections(
        pg.ro_dsn, application_name=APP, timeout_s=DEADLINE_S, connect_timeout_s=2
    )


def our_backends(pg: PostgresServer) -> list[int]:
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP,)
        ).fetchall()
    return [row[0] for row in rows]


def terminate_ours(pg: PostgresServer) -> None:
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (APP,),
        )


@pytest.fixture
def hogs(pg_server: PostgresServer) -> Iterator[list[psycopg.Connection]]:
    opened: list[psycopg.Connection] = []
    yield opened
    for conn in opened:
        conn.close()


def exhaust(pg: PostgresServer, opened: list[psycopg.Connection]) -> None:
    """Take every slot the cockpit's role may use (superusers keep their reserved ones)."""
    for _ in range(MAX_CONNECTIONS + 1):
        try:
            conn = psycopg.connect(pg.ro_dsn, autocommit=True, application_name="hog")
        except psycopg.OperationalError:
            return
        opened.append(conn)
    raise AssertionError(f"{MAX_CONNECTIONS + 1} connections and still no refusal")


async def test_immediate_restart_fails_one_poll_then_reconnects(pg_server: PostgresServer) -> None:
    pg = source(pg_server)
    await pg.poll()
    pg_server.restart("immediate")
    with pytest.raises(SourceError) as info:
        await pg.poll()
    assert info.value.kind == "connect"
    snap = await pg.poll()
    await pg.aclose()
    assert snap.items[0]["max_connections"] == MAX_CONNECTIONS


async def test_terminated_backend_is_a_failed_poll_then_a_fresh_connection(
    pg_server: PostgresServer,
) -> None:
    pg = source(pg_server)
    await pg.poll()
    (first,) = our_backends(pg_server)
    terminate_ours(pg_server)
    with pytest.raises(SourceError) as info:
        await pg.poll()
    assert info.value.kind == "connect"
    assert "\n" not in info.value.message
    await pg.poll()
    second = our_backends(pg_server)
    await pg.aclose()
    assert len(second) == 1 and second != [first]


async def test_max_connections_exhausted_names_the_cause(
    pg_server: PostgresServer, hogs: list[psycopg.Connection]
) -> None:
    exhaust(pg_server, hogs)
    pg = source(pg_server)
    began = time.monotonic()
    with pytest.raises(SourceError) as info:
        await pg.poll()
    assert time.monotonic() - began < DEADLINE_S + SLACK_S
    assert info.value.kind == "connect"
    assert "connection slots" in info.value.message or "too many" in info.value.message
    for conn in hogs:
        conn.close()
    hogs.clear()
    snap = await pg.poll()
    await pg.aclose()
    assert snap.items[0]["by_application"][APP] == 1


def _freeze(pg: PostgresServer) -> Callable[[], None]:
    (backend,) = our_backends(pg)
    os.kill(backend, signal.SIGSTOP)
    return lambda: os.kill(backend, signal.SIGCONT)


def _stop(pg: PostgresServer) -> Callable[[], None]:
    pg.stop("fast")
    return pg.start


def _restart(mode: str) -> Callable[[PostgresServer], Callable[[], None]]:
    def act(pg: PostgresServer) -> Callable[[], None]:
        pg.restart(mode)
        return lambda: None

    return act


def _terminate(pg: PostgresServer) -> Callable[[], None]:
    terminate_ours(pg)
    return lambda: None


PANE_FAULTS: dict[str, tuple[Callable[[PostgresServer], Callable[[], None]], str]] = {
    "down": (_stop, "✖ FAILED"),
    "frozen": (_freeze, f"within {DEADLINE_S:g} s"),
    "restart-fast": (_restart("fast"), "✖ FAILED"),
    "restart-immediate": (_restart("immediate"), "✖ FAILED"),
    "backend-terminated": (_terminate, "✖ FAILED"),
}


@pytest.mark.parametrize("name", PANE_FAULTS)
async def test_postgres_pane_shows_the_fault_and_recovers(
    name: str, pg_server: PostgresServer, tmp_path: Path
) -> None:
    act, shown = PANE_FAULTS[name]
    am = FaultyApi()
    am.start()
    planned = [
        PlannedSource(source(pg_server), INTERVAL_S),
        PlannedSource(AlertmanagerAlerts(am.url, timeout_s=DEADLINE_S), INTERVAL_S),
    ]
    app = build_app(tmp_path / "pg.jsonl", planned, INTERVAL_S)
    mend: Callable[[], None] = lambda: None  # noqa: E731
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(
                pilot, lambda: status_line(app, 3).startswith("● live"), "pg pane live", 10.0
            )
            mend = act(pg_server)
            await wait_until(
                pilot,
                lambda: status_line(app, 3).startswith("✖ FAILED") and shown in status_line(app, 3),
                f"pg pane showing {shown!r} (now {status_line(app, 3)!r})",
                INTERVAL_S + DEADLINE_S + SLACK_S,
            )
            assert status_line(app, 1).startswith("● live")
            await pilot.press("1")
            assert app.dashboard.current == 1
            mend()
            mend = lambda: None  # noqa: E731
            await wait_until(
                pilot,
                lambda: status_line(app, 3).startswith("● live"),
                f"pg pane live again (now {status_line(app, 3)!r})",
                8.0,
            )
            await pilot.press("q")
    finally:
        mend()
        am.stop()
