"""Shared-store benchmark: append p99 through PostgreSQL, and events/s with 4 writers.

Usage: PYTHONPATH=. python bench/store_bench.py [--appends 1000] [--writers 4] [--dsn DSN]
Without --dsn it starts a throwaway PostgreSQL 15 (tests/stack) on loopback. Note that the
test cluster runs with fsync=off: the figures measure the cockpit's protocol (lock, insert,
notify, mirror fsync), not the server's disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from cockpit.clock import SystemClock  # noqa: E402
from cockpit.log.events import NoteAdded  # noqa: E402
from cockpit.log.pgstore import StoreLog  # noqa: E402
from cockpit.settings.secrets import Secret  # noqa: E402

WRITER = ROOT / "tests" / "store" / "writer.py"


def append_latency(dsn: str, tmp: Path, count: int) -> list[float]:
    """Milliseconds of each of `count` appends by one process (acknowledged: committed and
    in the fsynced mirror)."""
    log, _ = StoreLog.open_store(
        tmp / "lat.jsonl", dsn=Secret(dsn), incident="BENCH-LAT", clock=SystemClock()
    )
    out = []
    for i in range(count):
        started = time.perf_counter()
        log.append(NoteAdded(note_id=f"l{i}", text="latency probe", author="bench"))
        out.append((time.perf_counter() - started) * 1000)
    log.close()
    return out


def throughput(dsn: str, tmp: Path, writers: int, count: int) -> float:
    """Events per second committed by `writers` processes appending to one incident."""
    env = dict(os.environ, COCKPIT_STORE_DSN=dsn, PYTHONPATH=str(ROOT))
    argv = [sys.executable, str(WRITER)]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*argv, str(tmp / f"w{n}.jsonl"), "BENCH-TPUT", str(count)],
            stdout=subprocess.DEVNULL,
            env=env,
        )
        for n in range(writers)
    ]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"a writer failed ({proc.returncode})")
    return writers * count / (time.perf_counter() - started)


def main() -> int:
    """Run both measurements and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--dsn", help="an existing database (default: a throwaway cluster)")
    args = parser.parse_args()
    server = None
    dsn = args.dsn
    if dsn is None:
        from stack.postgres import PostgresServer

        server = PostgresServer().setup()
        dsn = server.dsn
    try:
        with tempfile.TemporaryDirectory(prefix="cockpit-store-bench-") as name:
            tmp = Path(name)
            lat = sorted(append_latency(dsn, tmp, args.appends))
            p50 = statistics.median(lat)
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            print(f"append through the store: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
                  f"({args.appends} appends, one writer)")  # fmt: skip
            rate = throughput(dsn, tmp, args.writers, args.appends)
            print(f"{args.writers} writers x {args.appends} appends to one incident: "
                  f"{rate:.0f} events/s")  # fmt: skip
    finally:
        if server is not None:
            server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
