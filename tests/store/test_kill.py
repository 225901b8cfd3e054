"""kill -9 trials against the shared store: no acknowledged note is ever lost or doubled."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from stack.postgres import PostgresServer

from cockpit.clock import SystemClock
from cockpit.log.pgpull import pull
from cockpit.log.pgstore import StoreLog
from cockpit.log.verify import verify
from cockpit.settings.secrets import Secret

WRITER = Path(__file__).with_name("writer.py")
TRIALS = 6
"""Half of them kill the writer while the store is down (acknowledged on the mirror only)."""


def _trial(pg: PostgresServer, tmp: Path, incident: str, rng: random.Random, offline: bool) -> None:
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
    try:
        while len(acked) < 20:  # it runs and appends before anything happens to it
            acked.append(proc.stdout.readline().split()[1])
        if offline:
            pg.stop("immediate")
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        acked += [line.split()[1] for line in proc.stdout.read().splitlines() if " " in line]
    finally:
        if proc.poll() is None:
            proc.kill()
        if offline:
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
    if offline:  # notes were acknowledged on the mirror alone, then re-chained
        assert Path(f"{mirror}.offline").stat().st_size > 0


def test_kill_9_trials_lose_no_acknowledged_note(
    pg_server: PostgresServer, tmp_path: Path, incident: str
) -> None:
    rng = random.Random(16)
    for n in range(TRIALS):
        _trial(pg_server, tmp_path, f"{incident}-k{n}", rng, offline=n % 2 == 1)
