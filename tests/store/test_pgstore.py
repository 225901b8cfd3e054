"""The shared store against the real PostgreSQL of the test stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from stack.postgres import PostgresServer

from cockpit.clock import SystemClock
from cockpit.log.events import NoteAdded
from cockpit.log.pgpull import pull
from cockpit.log.pgschema import SCHEMA_VERSION, list_incidents, migrate
from cockpit.log.pgstore import StoreLog
from cockpit.log.verify import verify
from cockpit.settings.secrets import Secret

WRITER = Path(__file__).with_name("writer.py")


def _writer(pg: PostgresServer, mirror: Path, incident: str, count: int) -> subprocess.Popen[str]:
    env = dict(os.environ, COCKPIT_STORE_DSN=pg.dsn, PYTHONPATH=str(Path.cwd()))
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(mirror), incident, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _notes(path: Path) -> list[str]:
    lines = [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines()]
    return [obj["data"]["note_id"] for obj in lines if obj["type"] == "note.added"]


def test_migrate_is_idempotent_and_versioned(pg_server: PostgresServer) -> None:
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        migrate(conn)
        assert migrate(conn) == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_two_processes_thousand_appends_each_one_linear_chain(
    pg_server: PostgresServer, tmp_path: Path, incident: str
) -> None:
    procs = [_writer(pg_server, tmp_path / f"m{i}.jsonl", incident, 1000) for i in range(2)]
    acked: list[str] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        acked += [line.split()[1] for line in out.splitlines()]
    assert len(acked) == 2000
    pulled = tmp_path / "pulled.jsonl"
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        assert pull(conn, incident, pulled) == 2001  # the header and 2,000 notes
        assert incident in [row.incident for row in list_incidents(conn)]
    report = verify(pulled, None)
    assert report.ok, report.summary
    assert sorted(_notes(pulled)) == sorted(acked)
    store = pulled.read_bytes()
    for i in range(2):
        mirror = (tmp_path / f"m{i}.jsonl").read_bytes()
        assert store.startswith(mirror)  # each mirror is a copy of the store's lines
        assert verify(tmp_path / f"m{i}.jsonl", None).ok


def test_listener_sees_another_writers_event_within_a_second(
    pg_server: PostgresServer, tmp_path: Path, incident: str
) -> None:
    dsn, clock = Secret(pg_server.dsn), SystemClock()
    a, _ = StoreLog.open_store(tmp_path / "a.jsonl", dsn=dsn, incident=incident, clock=clock)
    b, _ = StoreLog.open_store(tmp_path / "b.jsonl", dsn=dsn, incident=incident, clock=clock)
    try:
        time.sleep(0.5)  # the notifications of the opening have arrived
        b.poll()
        assert not b._listener.changed.is_set()
        a.append(NoteAdded(note_id="n1", text="hello", author="alice"))
        assert b._listener.changed.wait(1.0)  # told within a second, nothing polled
        seen = [e for e in b.poll() if e.type == "note.added"]
        assert [e.data["note_id"] for e in seen] == ["n1"]
        assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    finally:
        a.close()
        b.close()


def test_postgres_restart_mid_incident_loses_nothing_and_forks_nothing(
    pg_server: PostgresServer, tmp_path: Path, incident: str
) -> None:
    dsn, clock = Secret(pg_server.dsn), SystemClock()
    a, _ = StoreLog.open_store(tmp_path / "a.jsonl", dsn=dsn, incident=incident, clock=clock)
    try:
        for i in range(5):
            a.append(NoteAdded(note_id=f"before-{i}", text="x", author="alice"))
        pg_server.stop("fast")
        for i in range(5):  # acknowledged on the mirror only
            a.append(NoteAdded(note_id=f"offline-{i}", text="x", author="alice"))
        status = a.status()
        assert status is not None and status.startswith("shared log offline since ")
        assert verify(tmp_path / "a.jsonl", None).ok  # replay works offline
        pg_server.start()
        b, _ = StoreLog.open_store(tmp_path / "b.jsonl", dsn=dsn, incident=incident, clock=clock)
        b.append(NoteAdded(note_id="other-host", text="y", author="bob"))
        deadline = time.monotonic() + 20
        folded = a.poll()
        while a.status() is not None and time.monotonic() < deadline:
            folded += a.poll()
            time.sleep(0.1)
        assert a.status() is None, "never reconnected"
        a.append(NoteAdded(note_id="after", text="x", author="alice"))
        folded += a.poll()
        b.poll()
        b.close()
    finally:
        a.close()
    pulled = tmp_path / "pulled.jsonl"
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        pull(conn, incident, pulled)
    assert verify(pulled, None).ok
    notes = _notes(pulled)
    expected = [f"before-{i}" for i in range(5)] + ["other-host"]
    expected += [f"offline-{i}" for i in range(5)] + ["after"]
    assert notes == expected  # queued notes re-chained in order after the other host's
    assert pulled.read_bytes() == (tmp_path / "a.jsonl").read_bytes()
    offline_ids = [n for n in _notes(tmp_path / "a.jsonl.offline") if n.startswith("offline")]
    assert offline_ids == [f"offline-{i}" for i in range(5)]  # the evidence is kept
    seen = [e.data["note_id"] for e in folded if e.type == "note.added"]
    assert sorted(seen) == sorted(expected)  # A folded every note exactly once


def test_log_commands_list_pull_migrate_and_record_joins_an_incident(
    pg_server: PostgresServer, tmp_path: Path, incident: str
) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text(
        f'[incident]\nstore = "postgres"\nstore_dsn_env = "STORE_DSN"\nlog_dir = "{tmp_path}"\n',
        encoding="utf-8",
    )
    env = dict(os.environ, STORE_DSN=pg_server.dsn, PYTHONPATH=str(Path.cwd()))

    def cockpit(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cockpit", *argv, "--config", str(config)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    assert cockpit("log", "migrate").returncode == 0
    dsn, clock = Secret(pg_server.dsn), SystemClock()
    a, _ = StoreLog.open_store(tmp_path / "a.jsonl", dsn=dsn, incident=incident, clock=clock)
    a.append(NoteAdded(note_id="n1", text="hello", author="alice"))
    a.close()
    listed = cockpit("log", "list")
    assert listed.returncode == 0 and incident in listed.stdout
    out = tmp_path / "pulled.jsonl"
    assert cockpit("log", "pull", incident, "-o", str(out)).returncode == 0
    assert cockpit("verify", str(out)).returncode == 0
    assert out.read_bytes() == (tmp_path / "a.jsonl").read_bytes()
    missing = cockpit("log", "pull", "INC-NONE", "-o", str(tmp_path / "none.jsonl"))
    assert missing.returncode == 1 and "no incident 'INC-NONE'" in missing.stderr
    assert pg_server.dsn not in listed.stderr + listed.stdout  # the DSN is a secret


def test_record_joins_an_incident_of_the_store(
    pg_server: PostgresServer, tmp_path: Path, incident: str
) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text(
        '[incident]\nstore = "postgres"\nstore_dsn_env = "STORE_DSN"\n\n'
        '[postgres]\ndsn_env = "PG_DSN"\n\n[ui]\nrefresh_seconds = 0.5\n',
        encoding="utf-8",
    )
    env = dict(os.environ, STORE_DSN=pg_server.dsn, PG_DSN=pg_server.ro_dsn,
               PYTHONPATH=str(Path.cwd()))  # fmt: skip
    mirror = tmp_path / "mirror.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "cockpit", "record", "--config", str(config), "--log", str(mirror),
         "--incident", incident, "--duration", "2"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert pg_server.dsn not in done.stderr
    pulled = tmp_path / "pulled.jsonl"
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        pull(conn, incident, pulled)
    assert pulled.read_bytes() == mirror.read_bytes()
    assert verify(pulled, None).ok
    types = [json.loads(raw)["type"] for raw in pulled.read_text(encoding="utf-8").splitlines()]
    assert types[0] == "log.opened" and types[1] == "sources.configured"
    assert types[-1] == "log.closed" and len(types) > 3  # observations in between
