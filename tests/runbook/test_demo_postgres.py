"""The demo's embedded PostgreSQL: real kyc-svc sessions, RB-004's kill ends them, the pane
and the simulated alert recover, and no server outlives the demo (kill -9 included)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from rb_support import LogBox, Steps, bind

from cockpit.clock import FrozenClock
from cockpit.demo_setup import DemoSetup
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.model import Runbook
from cockpit.sim.demo_pg import DeferredPostgres
from cockpit.sim.pg_orphans import alive, reap_orphans, runtime_dir

pytestmark = pytest.mark.servers

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
IDLE_TX = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kyc-svc' AND state = %s"


def wait_for(check: Callable[[], bool], timeout_s: float = 40.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)


def count(dsn: str, state: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(IDLE_TX, [state]).fetchone()
    return int(row[0]) if row else -1


@pytest.fixture
def demo() -> Iterator[tuple[DemoSetup, FrozenClock]]:
    clock = FrozenClock(T0)
    setup = DemoSetup(None, clock)
    planned, _ = setup.planner()
    assert DeferredPostgres in [type(p.source) for p in planned]  # not the exporter
    assert setup.database is not None
    assert setup.database.server.ready.wait(30), setup.database.server.error
    assert not setup.database.server.error
    yield setup, clock
    setup.stop()


def test_the_kill_ends_real_sessions_and_the_story_recovers(
    demo: tuple[DemoSetup, FrozenClock], logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    setup, clock = demo
    assert setup.database is not None and setup.platform is not None
    server, platform = setup.database.server, setup.platform
    postmaster, base = server.pid, server.base
    dsn = setup.database.dsn("kyc")
    clock.set(T0 + timedelta(seconds=150))  # the leak is at its height
    wanted = platform.platform.connections(platform.elapsed())["kyc", "idle in transaction"]
    assert wanted > 100
    wait_for(lambda: count(dsn, "idle in transaction") == wanted)
    wait_for(lambda: count(dsn, "active") >= 14)  # the long queries

    # The pane reads pg_stat_activity itself (no exporter fallback).
    snap = asyncio.run(DeferredPostgres(setup.database).poll())
    assert snap.items[0]["by_application"]["kyc-svc"] >= wanted
    assert snap.items[0]["by_state"]["idle in transaction"] >= wanted

    # RB-004's typed kill, driven as the screens drive it, with the demo's targets.
    runbook = runbooks["RB-004"]
    idle = dataclasses.replace(runbook.param("idle_minutes"), pattern="[0-9]{1,4}")  # type: ignore[arg-type]
    runbook = dataclasses.replace(
        runbook, params=tuple(idle if p.name == "idle_minutes" else p for p in runbook.params)
    )
    targets = setup.targets()
    assert targets is not None and targets.postgres_dsn == dsn
    steps = Steps(runbook, logbox, targets, Permissions.decide(Mode.DEMO, environment="demo"))
    who = runbook.step("who-holds")
    assert who is not None
    diagnosed = steps.run(who, bind(runbook))
    assert diagnosed.outcome == "ok", diagnosed.summary
    assert ("kyc-svc", "idle in transaction") in [tuple(r[:2]) for r in diagnosed.rows]
    kill = runbook.step("kill-idle")
    assert kill is not None
    result = steps.run(kill, bind(runbook, idle_minutes="0"), confirm=lambda a: "terminate-idle")
    assert result.outcome == "ok", result.summary
    assert len(result.rows) >= wanted

    # The driver sees the kill: no new leak, the model and its alert follow the server.
    wait_for(lambda: platform.platform.leak_cut_at is not None, 10)
    clock.set(T0 + timedelta(seconds=160))
    time.sleep(2.5)  # two driver ticks: nothing re-opened
    assert count(dsn, "idle in transaction") <= 1
    assert platform.platform.connections(platform.elapsed())["kyc", "idle in transaction"] <= 1
    clock.set(T0 + timedelta(seconds=200))
    firing = {a.name for a in platform.alerts_at(platform.elapsed()) if a.state == "firing"}
    assert "PostgresConnectionsExhausted" not in firing
    snap = asyncio.run(DeferredPostgres(setup.database).poll())
    assert snap.items[0]["by_state"].get("idle in transaction", 0) <= 2  # kyc + aml base

    setup.stop()
    assert postmaster is not None and not alive(postmaster)
    assert base is not None and not base.exists()


ORPHAN = """
import sys, time
from cockpit.sim.embedded_pg import EmbeddedPostgres
pg = EmbeddedPostgres().start()
print(pg.pid, pg.base, flush=True)
time.sleep(600)
"""


def test_a_server_orphaned_by_kill_9_is_reaped_by_the_next_demo(tmp_path: Path) -> None:
    script = tmp_path / "orphan.py"  # its owner is known by pid and start time, not by name
    script.write_text(ORPHAN)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    pid_text, base = proc.stdout.readline().decode().split()
    postmaster = int(pid_text)
    assert alive(postmaster)
    assert reap_orphans() == []  # its demo still runs: left alone
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.3)
    assert alive(postmaster)  # kill -9 left it behind
    assert postmaster in reap_orphans()
    assert not alive(postmaster)
    assert not Path(base).exists()


def test_a_reused_owner_pid_does_not_keep_a_record_alive(tmp_path: Path) -> None:
    """A record whose owner pid now names another process (another start time) is stale."""
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        base = Path(tempfile.mkdtemp(prefix="cockpit-demo-pg-"))
        record = runtime_dir() / f"{sleeper.pid}-1.json"
        record.write_text(json.dumps({"owner": sleeper.pid, "owner_start": "1",
                                      "postmaster": 1, "dir": str(base)}))  # fmt: skip
        reap_orphans()
        assert not record.exists() and not base.exists()
        assert sleeper.poll() is None  # the unrelated process is left alone
    finally:
        sleeper.kill()
        sleeper.wait()
