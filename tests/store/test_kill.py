"""kill -9 trials against the shared store: no acknowledged note is ever lost or doubled."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import psycopg
from stack.postgres import PostgresServer

from cockpit.clock import SystemClock
from cockpit.log.pgpull import pull
from cockpit.log.pgstore import StoreLog
from cockpit.log.verify import verify
from cockpit.settings.secrets import Secret

WRITER = Path(__file__).with_name("writer.py")
TRIALS = 9
"""A third kill the writer while the store is up, a third while it is down (notes acknowledged
on the mirror only), a third after it came back and the writer re-chained its queue."""


def _read_acks(stream: IO[str], acked: list[str]) -> None:
    """Every acknowledgement line the writer prints, as it prints it (never blocks it)."""
    for line in stream:
        if " " in line:
            acked.append(line.split()[1])


def _wait_for(done: Callable[[], bool], limit_s: float) -> None:
    end = time.monotonic() + limit_s
    while not done() and time.monotonic() < end:
        time.sleep(0.05)


def _rechained(pg: PostgresServer, incident: str) -> bool:
    """True once the writer re-chained its queued (offline) notes into the store and then
    appended online again (a note after the last re-chained one)."""
    try:
        with psycopg.connect(pg.dsn, autocommit=True, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT max(seq) FILTER (WHERE origin IS NOT NULL), "
                "max(seq) FILTER (WHERE origin IS NULL) FROM cockpit_events "
                "WHERE incident = %s AND type = 'note.added'",
                (incident,),
            ).fetchone()
    except psycopg.OperationalError:
        return False
    return row is not None and row[0] is not None and row[1] is not None and row[1] > row[0]


def _trial(pg: PostgresServer, tmp: Path, incident: str, rng: random.Random, kind: int) -> bool:
    """One trial; True when the writer itself re-chained its queue and went on online."""
    mirror = tmp / f"{incident}.jsonl"
    env = dict(os.environ, COCKPIT_STORE_DSN=pg.dsn, PYTHONPATH=str(Path.cwd()))
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(mirror), incident, "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    acked: list[str] = []
    reader = threading.Thread(target=_read_acks, args=(proc.stdout, acked), daemon=True)
    reader.start()
    try:
        _wait_for(lambda: len(acked) >= 20, 30.0)  # it runs and appends before anything
        if kind:
            pg.stop("immediate")
            time.sleep(rng.uniform(0.05, 0.6))
        if kind == 2:
            pg.start()
            # Kill it while or after it re-chains its queue: wait (bounded) until it has.
            _wait_for(lambda: _rechained(pg, incident), 30.0)
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        if kind == 1:
            pg.start()
    # A new process on the same mirror pushes what the dead one queued.
    log, _ = StoreLog.open_store(mirror, dsn=Secret(pg.dsn), incident=incident, clock=SystemClock())
    assert log.status() is None
    log.close()
    pulled = tmp / f"{incident}.pulled"
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        pull(conn, incident, pulled)
    report = verify(pulled, None)
    assert report.ok, report.summary
    lines = [json.loads(raw) for raw in pulled.read_text(encoding="utf-8").splitlines()]
    notes = [obj["data"]["note_id"] for obj in lines if obj["type"] == "note.added"]
    assert len(notes) == len(set(notes)), "a queued note was appended twice"
    lost = set(acked) - set(notes)
    assert not lost, f"acknowledged notes lost: {sorted(lost)[:5]}"
    assert pulled.read_bytes() == mirror.read_bytes()
    if kind:  # notes were acknowledged on the mirror alone, then re-chained
        assert Path(f"{mirror}.offline").stat().st_size > 0
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT max(seq) FILTER (WHERE origin IS NOT NULL), max(seq) FROM cockpit_events "
            "WHERE incident = %s AND type = 'note.added'",
            (incident,),
        ).fetchone()
    assert row is not None
    return row[0] is not None and row[1] > row[0]


def test_kill_9_trials_lose_no_acknowledged_note(
    pg_server: PostgresServer, tmp_path: Path, incident: str
) -> None:
    rng = random.Random(16)
    resumed = [_trial(pg_server, tmp_path, f"{incident}-k{n}", rng, n % 3) for n in range(TRIALS)]
    assert any(resumed[2::3]), "no writer reconnected by itself after the restart"
