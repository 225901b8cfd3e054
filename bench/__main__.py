"""`make bench`: the cockpit against pg_activity in real ptys; one table, one JSON summary."""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import Row, print_table, write_summary
from bench.term import Term, median, p95

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SIZES = ((200, 50), (80, 24))
COLOURS = {"truecolor": {"COLORTERM": "truecolor"}, "256": {"COLORTERM": ""}}
KEY_BUDGET_MS = 50.0


def ensure_pg_activity() -> str:
    """The pg_activity command, installed with pip when missing."""
    found = shutil.which("pg_activity")
    if found is None:
        print("bench: installing pg_activity with pip", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "pg_activity"], check=True
        )
        found = shutil.which("pg_activity")
    if found is None:
        raise SystemExit("bench: pg_activity is still not on PATH after pip install")
    return found


def env_for(colour: str, data: Path) -> dict[str, str]:
    return {"TERM": "xterm-256color", "XDG_DATA_HOME": str(data), **COLOURS[colour]}


def window(term: Term, seconds: float) -> tuple[float, float]:
    """Bytes/s and CPU % over the same `seconds`."""
    before_bytes, before_cpu = term.total, term._cpu_ticks()
    time.sleep(seconds)
    from bench.term import TICKS

    cpu = 100.0 * (term._cpu_ticks() - before_cpu) / TICKS / seconds
    return (term.total - before_bytes) / seconds, cpu


def measure_startup(cockpit: str, runs: int, data: Path) -> list[float]:
    times = []
    for _ in range(runs):
        term = Term([cockpit, "demo"], (200, 50), env_for("256", data))
        try:
            times.append(term.wait_for(b"DEMO") * 1000.0)
        finally:
            term.close()
    return times


def run_terminal_rows(args: argparse.Namespace, tmp: Path, dsn: str, pga: str) -> list[Row]:
    cockpit = shutil.which("cockpit") or "cockpit"
    from bench.scale import write_big_log

    idle_log = tmp / "idle.jsonl"
    write_big_log(idle_log, 40, 30, 12)
    rows: list[Row] = []
    starts = measure_startup(cockpit, args.runs, tmp)
    rows.append(
        Row(
            "startup to first frame, median ms",
            median(starts),
            400.0,
            note=f"{len(starts)} runs of `cockpit demo`, 200x50",
        )
    )
    W = args.window
    pga_argv = [pga, "--refresh", "2", "--no-db-size", dsn]
    for cols, lines in SIZES:
        for colour in COLOURS:
            tag = f"{cols}x{lines} {colour}"
            peer = Term(pga_argv, (cols, lines), env_for(colour, tmp))
            peer.wait_for(b"PostgreSQL")
            time.sleep(2.0)
            peer_bps, peer_cpu = window(peer, W)
            peer_rss = peer.rss_mb()
            peer.close()
            idle = Term([cockpit, "replay", str(idle_log)], (cols, lines), env_for(colour, tmp))
            idle.wait_for(b"REPLAY")
            idle.quiet(1.0)
            idle_bps, idle_cpu = window(idle, W)
            idle.close()
            # At 4x the scripted incident is under way after 12 s: alerts firing, lag and
            # connections climbing, quotas moving; polls stay every 2 s of wall time.
            busy = Term([cockpit, "demo", "--speed", "4"], (cols, lines), env_for(colour, tmp))
            busy.wait_for(b"DEMO")
            time.sleep(12.0)
            busy_bps, busy_cpu = window(busy, W)
            busy_rss = busy.rss_mb()
            busy.close()
            rows.append(
                Row(f"bytes/s idle, {tag}", idle_bps, 0.0, peer=peer_bps, note="replay, paused")
            )
            rows.append(
                Row(
                    f"bytes/s changing, {tag}",
                    busy_bps,
                    peer_bps,
                    peer=peer_bps,
                    note="demo 4x mid-incident, 2 s polls",
                )
            )
            if (cols, lines) == (200, 50) and colour == "256":
                rows.append(Row("CPU % idle", idle_cpu, None, peer=peer_cpu, note="replay, paused"))
                rows.append(
                    Row(
                        "CPU % at 2 s refresh",
                        busy_cpu,
                        None,
                        peer=peer_cpu,
                        note="demo vs pg_activity --refresh 2",
                    )
                )
                rows.append(
                    Row(
                        "RSS after start, MB",
                        busy_rss,
                        80.0,
                        peer=peer_rss,
                        note="demo after warm-up",
                    )
                )
    rows.extend(latency_rows(cockpit, tmp, args.latency_repeats))
    rows.extend(soak_rows(cockpit, tmp, args.soak))
    return rows


def latency_rows(cockpit: str, tmp: Path, repeats: int) -> list[Row]:
    rows = []
    for label, throttle in (("unthrottled", None), ("reader at 64 KB/s", 64 * 1024)):
        term = Term([cockpit, "demo"], (200, 50), env_for("truecolor", tmp), throttle_bps=throttle)
        term.wait_for(b"DEMO")
        time.sleep(3.0)
        samples = term.key_latency_ms(b"?", b"\x1b", repeats)
        term.close()
        rows.append(
            Row(
                f"key to screen p50 ms, {label}",
                median(samples),
                KEY_BUDGET_MS,
                note="? opens help, demo polling",
            )
        )
        rows.append(Row(f"key to screen p95 ms, {label}", p95(samples), KEY_BUDGET_MS))
    return rows


def soak_rows(cockpit: str, tmp: Path, soak_s: float) -> list[Row]:
    term = Term([cockpit, "demo"], (200, 50), env_for("256", tmp))
    term.wait_for(b"DEMO")
    time.sleep(3.0)
    start = term.rss_mb()
    time.sleep(soak_s)
    end = term.rss_mb()
    term.close()
    growth = 100.0 * (end - start) / start if start else 0.0
    return [
        Row(f"RSS after {soak_s:g} s soak, MB", end, 80.0, note="demo at its 2 s interval"),
        Row("RSS growth over the soak, %", growth, None),
    ]


def scale_rows(tmp: Path) -> list[Row]:
    from bench.scale import measure, write_big_log

    path = tmp / "big.jsonl"
    write_big_log(path, 10_000, 5_000, 2_000)
    got = measure(path)
    note = "replay seeked to the data, in-process, 200x50"
    return [
        Row(
            "10k alerts/5k tenants/2k groups: first screen ms",
            got["first_screen_ms"],
            300.0,
            note=note,
        ),
        Row(
            "same: longest event-loop stall ms",
            got["max_stall_ms"],
            50.0,
            note="5 ms probe, keys 1-4, scrolling",
        ),
    ]


def log_rows() -> list[Row]:
    path = RESULTS / "log.json"
    if not path.exists():
        return [Row("log rows: run `python bench/bench_log.py` first", 0.0, None)]
    data: dict[str, Any] = json.loads(path.read_text())
    got, budgets = data["results"], data["budgets"]
    note = "from bench/results/log.json (bench_log.py)"
    return [
        Row("log append p99 ms (fsync)", got["append_p99_ms"], budgets["append_p99_ms"], note=note),
        Row(
            "1 GB log: open to first state s",
            got["open_first_state_s"],
            budgets["open_first_state_s"],
            note=note,
        ),
        Row("1 GB log: seek max ms", got["seek_max_ms"], budgets["seek_max_ms"], note=note),
        Row("4-hour demo recording MB", got["volume_4h_mb"], budgets["volume_4h_mb"], note=note),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a few-minute run (short windows, 60 s soak)"
    )
    parser.add_argument("--soak", type=float, help="soak seconds (default 600, 60 with --quick)")
    args = parser.parse_args(argv)
    args.soak = args.soak if args.soak is not None else (60.0 if args.quick else 600.0)
    args.runs = 10
    args.window = 5.0 if args.quick else 15.0
    args.latency_repeats = 10 if args.quick else 30
    pga = ensure_pg_activity()
    sys.path.insert(0, str(ROOT / "tests"))
    from stack.postgres import PostgresServer

    began = time.monotonic()
    server = PostgresServer()
    try:
        server.setup()
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-") as tmp:
            rows = run_terminal_rows(args, Path(tmp), server.dsn, pga)
            rows.extend(scale_rows(Path(tmp)))
    finally:
        server.cleanup()
    rows.extend(log_rows())
    print_table(rows)
    meta = {
        "quick": args.quick,
        "soak_s": args.soak,
        "window_s": args.window,
        "python": platform.python_version(),
        "cpus": __import__("os").cpu_count(),
        "wall_s": round(time.monotonic() - began, 1),
    }
    write_summary(RESULTS / "summary.json", rows, meta)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
