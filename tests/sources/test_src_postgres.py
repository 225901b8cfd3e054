"""PostgresConnections against the real PostgreSQL 15 of the test stack."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from stack.postgres import MAX_CONNECTIONS, PostgresServer

from cockpit.sources.base import SourceError
from cockpit.sources.postgres import PostgresConnections
from cockpit.sources.scheduler import STILL_RUNNING

pytestmark = pytest.mark.servers


@pytest.fixture
def sessions(pg_server: PostgresServer) -> Iterator[list[psycopg.Connection]]:
    """Connections the test opens as another application; all closed afterwards."""
    opened: list[psycopg.Connection] = []
    yield opened
    for conn in opened:
        conn.close()


def open_as(pg: PostgresServer, app: str, opened: list[psycopg.Connection]) -> psycopg.Connection:
    conn = psycopg.connect(pg.dsn, application_name=app, autocommit=True)
    opened.append(conn)
    return conn


def cockpit_backends(pg: PostgresServer) -> list[int]:
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'cockpit-h6'"
        ).fetchall()
    return [row[0] for row in rows]


def source(pg: PostgresServer, **kwargs: float) -> PostgresConnections:
    return PostgresConnections(pg.ro_dsn, application_name="cockpit-h6", **kwargs)  # type: ignore[arg-type]


async def test_counts_the_connections_a_test_opens(
    pg_server: PostgresServer, sessions: list[psycopg.Connection]
) -> None:
    pg = source(pg_server)
    before = (await pg.poll()).items[0]
    for _ in range(3):
        open_as(pg_server, "probe-h6", sessions)
    in_tx = open_as(pg_server, "", sessions)
    in_tx.autocommit = False
    in_tx.execute("SELECT 1")  # leaves the session idle in transaction
    snap = await pg.poll()
    await pg.aclose()
    item = snap.items[0]
    assert snap.source == "postgres" and snap.kind == "postgres"
    assert snap.warnings == ()  # cockpit_ro has pg_monitor: nothing hidden
    assert item["max_connections"] == MAX_CONNECTIONS
    assert item["total"] == before["total"] + 4
    assert item["by_application"]["probe-h6"] == 3
    assert item["by_application"]["(none)"] >= 1
    assert item["by_application"]["cockpit-h6"] == 1
    assert item["by_state"]["idle in transaction"] >= 1
    assert sum(item["by_state"].values()) == item["total"]


async def test_long_running_and_old_idle_in_transaction(
    pg_server: PostgresServer, sessions: list[psycopg.Connection]
) -> None:
    sleeper = open_as(pg_server, "probe-sleep", sessions)
    worker = threading.Thread(target=sleeper.execute, args=("SELECT pg_sleep(1.2)",))
    worker.start()
    idle = open_as(pg_server, "probe-idle", sessions)
    idle.autocommit = False
    idle.execute("SELECT 1")
    time.sleep(0.7)
    pg = source(pg_server, long_running_s=0.5, idle_in_transaction_s=0.5)
    item = (await pg.poll()).items[0]
    strict = source(pg_server)  # default thresholds: 30 s and 5 min
    strict_item = (await strict.poll()).items[0]
    await pg.aclose()
    await strict.aclose()
    worker.join()
    assert item["long_running"] >= 1
    assert item["idle_in_transaction_old"] >= 1
    assert strict_item["long_running"] == 0
    assert strict_item["idle_in_transaction_old"] == 0


async def test_session_is_read_only_and_bounded(pg_server: PostgresServer) -> None:
    pg = PostgresConnections(pg_server.ro_dsn + " options='-c work_mem=8MB'")
    with psycopg.connect(pg._conninfo.reveal()) as conn:
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("default_transaction_read_only", "statement_timeout", "work_mem")
        }
        app = conn.execute("SELECT current_setting('application_name')").fetchone()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE h6_should_fail (x int)")
    assert settings == {
        "default_transaction_read_only": "on",
        "statement_timeout": "3s",
        "work_mem": "8MB",  # the user's own options survive
    }
    assert app == ("cockpit",)


async def test_one_connection_is_kept_across_polls(pg_server: PostgresServer) -> None:
    pg = source(pg_server)
    await pg.poll()
    first = cockpit_backends(pg_server)
    await pg.poll()
    second = cockpit_backends(pg_server)
    await pg.aclose()
    assert len(first) == 1 and first == second


async def test_restart_fails_one_poll_then_reconnects(pg_server: PostgresServer) -> None:
    pg = source(pg_server)
    await pg.poll()
    pg_server.restart("fast")
    with pytest.raises(SourceError) as info:
        await pg.poll()  # the kept connection is dead; no hidden retry inside this poll
    assert info.value.kind == "connect"
    snap = await pg.poll()
    await pg.aclose()
    assert snap.items[0]["max_connections"] == MAX_CONNECTIONS


async def test_frozen_backend_keeps_the_deadline_and_blocks_overlap(
    pg_server: PostgresServer,
) -> None:
    pg = source(pg_server, timeout_s=1.0)
    await pg.poll()
    (backend,) = cockpit_backends(pg_server)
    os.kill(backend, signal.SIGSTOP)
    try:
        began = time.monotonic()
        with pytest.raises(SourceError) as info:
            await pg.poll()
        took = time.monotonic() - began
        assert info.value.kind == "timeout"
        assert 0.9 <= took < 2.5  # psycopg's own cancel would wait ~5 s
        began = time.monotonic()
        with pytest.raises(SourceError) as again:
            await pg.poll()
        assert again.value.message == STILL_RUNNING
        assert time.monotonic() - began < 0.5
        assert pg.busy
    finally:
        os.kill(backend, signal.SIGCONT)
    deadline = time.monotonic() + 5
    while pg.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pg.busy
    snap = await pg.poll()  # a fresh connection: the abandoned one was discarded
    assert snap.items[0]["by_application"]["cockpit-h6"] == 1
    assert cockpit_backends(pg_server) != [backend]
    await pg.aclose()


async def test_unreachable_and_unknown_role(pg_server: PostgresServer) -> None:
    closed = PostgresConnections("host=127.0.0.1 port=1 dbname=kyc user=x", connect_timeout_s=2)
    with pytest.raises(SourceError) as info:
        await closed.poll()
    assert info.value.kind == "connect"
    stranger = PostgresConnections(pg_server.dsn.replace("user=postgres", "user=nobody_h6"))
    with pytest.raises(SourceError) as info:
        await stranger.poll()
    assert info.value.kind == "auth"
    assert "nobody_h6" in info.value.message and "\n" not in info.value.message


@pytest.mark.parametrize("dsn", ["host=x port='unterminated", "host=x hunter2secret"])
def test_bad_dsn_is_a_config_error_that_shows_no_secret(dsn: str) -> None:
    with pytest.raises(SourceError) as info:
        PostgresConnections(dsn)
    assert info.value.kind == "config"
    assert info.value.message.startswith("postgres dsn is not valid: ")
    assert "hunter2" not in info.value.message


async def test_polls_run_on_one_thread_of_the_source_that_ends_with_it(
    pg_server: PostgresServer,
) -> None:
    """A thread started for each poll cost a start and its handshake every 2 s: the source
    keeps one (its polls never overlap), and closing it lets that thread end."""
    pg = source(pg_server)
    before = set(threading.enumerate())  # other tests' sources may still hold theirs
    for _ in range(3):
        await pg.poll()
    mine = [t for t in set(threading.enumerate()) - before if t.name == f"cockpit-{pg.name}"]
    assert len(mine) == 1
    await pg.aclose()
    mine[0].join(timeout=5)
    assert not mine[0].is_alive()
