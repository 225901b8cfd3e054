"""`make bench`: the shipped commands in real ptys, each beside its peer; one table, one JSON.

`cockpit` (live, on the bench's own PostgreSQL) runs beside pg_activity on the same server in
the same run: first output, RSS, CPU and bytes written, with budgets that are ratios of
pg_activity's figures (DESIGN.md, "Performance budgets"). `cockpit demo` and `cockpit replay`
give the four-pane and idle figures; `bench/replay_bench.py` (when present) adds `cockpit
replay`, `cockpit export` and `cockpit verify` on a big log. Figures measured in-process or
on library calls say so in their name.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.install import user_cockpit
from bench.report import Row, print_table, write_summary
from bench.term import TICKS, Term, median, p95

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SIZES = ((200, 50), (80, 24))
COLOURS = {"truecolor": {"COLORTERM": "truecolor"}, "256": {"COLORTERM": ""}}
KEY_BUDGET_MS = 50.0


def ensure_pg_activity() -> str:
    """The pg_activity command (PG_ACTIVITY, else PATH), installed with pip when missing."""
    found = os.environ.get("PG_ACTIVITY") or shutil.which("pg_activity")
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
    cpu = 100.0 * (term._cpu_ticks() - before_cpu) / TICKS / seconds
    return (term.total - before_bytes) / seconds, cpu


FIRST_OUTPUT_RATIO = 1.0
RSS_RATIO = 1.2
CPU_RATIO = 1.0
BYTES_RATIO = 0.5
"""Budgets as multiples of pg_activity's figure in the same run (DESIGN.md)."""


def live_config(tmp: Path) -> Path:
    """A config for `cockpit` on the bench's PostgreSQL (the DSN comes from BENCH_PG_DSN)."""
    path = tmp / "bench-live.toml"
    path.write_text(
        f'[postgres]\ndsn_env = "BENCH_PG_DSN"\n\n[incident]\nlog_dir = "{tmp / "logs"}"\n\n'
        "[ui]\nrefresh_seconds = 2\n",
        encoding="utf-8",
    )
    return path


def textual_import_cpu_ms(python: str) -> float:
    """CPU time of a Python process that only imports Textual's App (children's rusage)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([python, "-c", "import textual.app"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used * 1000.0


def live_rows(cockpit: str, pga: str, tmp: Path, dsn: str, ro_dsn: str, runs: int) -> list[Row]:
    """`cockpit` (live) and pg_activity, started in turn `runs` times on the same server."""
    env = {**env_for("256", tmp), "BENCH_PG_DSN": ro_dsn}
    ours = [cockpit, "--config", str(live_config(tmp))]
    peer = [pga, "--refresh", "2", "--no-db-size", dsn]
    got: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, argv, needle in (("peer", peer, b"PostgreSQL"), ("ours", ours, b"LIVE")):
            term = Term(argv, (200, 50), env)
            try:
                got.setdefault(f"{name}_ms", []).append(term.wait_for(needle) * 1000.0)
                got.setdefault(f"{name}_cpu", []).append(term.cpu_ms_at_needle)
                time.sleep(4.0)  # both have polled twice
                got.setdefault(f"{name}_rss", []).append(term.rss_mb())
            finally:
                term.close()
    beside = Path(cockpit).with_name("python")  # the Python the measured command runs on
    python = str(beside) if beside.exists() else sys.executable
    floor = [textual_import_cpu_ms(python) for _ in range(runs)]
    note = f"median of {runs}, `cockpit` vs pg_activity, 200x50"
    first, first_peer = median(got["ours_ms"]), median(got["peer_ms"])
    cpu, cpu_peer = median(got["ours_cpu"]), median(got["peer_cpu"])
    rss, rss_peer = median(got["ours_rss"]), median(got["peer_rss"])
    return [
        Row("live: first output ms", first, FIRST_OUTPUT_RATIO * first_peer, first_peer, note),
        Row("live: CPU ms used by first output", cpu, FIRST_OUTPUT_RATIO * cpu_peer, cpu_peer,
            "less noisy than wall time on a shared machine"),
        Row("live: RSS after start MB", rss, RSS_RATIO * rss_peer, rss_peer, "4 s after output"),
        Row("floor: CPU ms of `python -c 'import textual.app'`", median(floor), None, None,
            "what any Textual app spends before its own code runs (same Python, same run)"),
    ]  # fmt: skip


def live_window_rows(
    cockpit: str, pga: str, tmp: Path, dsn: str, ro_dsn: str, w: float
) -> list[Row]:
    """CPU and bytes/s of `cockpit` and pg_activity over the same window length."""
    env = {**env_for("256", tmp), "BENCH_PG_DSN": ro_dsn}
    peer = Term([pga, "--refresh", "2", "--no-db-size", dsn], (200, 50), env)
    peer.wait_for(b"PostgreSQL")
    time.sleep(2.0)
    peer_bps, peer_cpu = window(peer, w)
    peer.close()
    ours = Term([cockpit, "--config", str(live_config(tmp))], (200, 50), env)
    ours.wait_for(b"LIVE")
    time.sleep(4.0)
    bps, cpu = window(ours, w)
    ours.close()
    note = "`cockpit` vs pg_activity, both 2 s refresh"
    return [
        Row("live: CPU % at 2 s refresh", cpu, CPU_RATIO * peer_cpu, peer_cpu, note),
        Row("live: bytes/s to the terminal", bps, BYTES_RATIO * peer_bps, peer_bps, note),
    ]


def run_terminal_rows(args: argparse.Namespace, tmp: Path, server: Any, pga: str) -> list[Row]:
    cockpit = user_cockpit()
    from bench.scale import write_big_log

    dsn = server.dsn
    idle_log = tmp / "idle.jsonl"
    write_big_log(idle_log, 40, 30, 12)
    rows: list[Row] = live_rows(cockpit, pga, tmp, dsn, server.ro_dsn, args.runs)
    # CPU is read in 10 ms clock ticks: at 0.3 % a 15 s window holds four or five of them, so
    # the idle CPU rows get a longer window of their own (the same for both programs).
    rows.extend(live_window_rows(cockpit, pga, tmp, dsn, server.ro_dsn, args.cpu_window))
    W = args.window
    pga_argv = [pga, "--refresh", "2", "--no-db-size", dsn]  # the peer in every row
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
                Row(f"replay paused: bytes/s, {tag}", idle_bps, 0.0, peer_bps, "`cockpit replay`")
            )
            rows.append(
                Row(
                    f"demo: bytes/s changing, {tag}",
                    busy_bps,
                    BYTES_RATIO * peer_bps,
                    peer_bps,
                    "`cockpit demo --speed 4` mid-incident, 4 panes",
                )
            )
            if (cols, lines) == (200, 50) and colour == "256":
                rows.append(
                    Row(
                        "replay paused: CPU %",
                        idle_cpu,
                        0.1 * peer_cpu,
                        peer_cpu,
                        "`cockpit replay`",
                    )
                )
                rows.append(
                    Row("demo: CPU % mid-incident", busy_cpu, None, peer_cpu, "4 panes, 4x")
                )
                rows.append(
                    # No budget: the demo's process also serves the simulated platform (the
                    # Alertmanager, Prometheus, Kubernetes, PagerDuty, Slack and GitHub fakes),
                    # which pg_activity does not. The RSS budget is on the live rows.
                    Row(
                        "demo: RSS after start MB",
                        busy_rss,
                        None,
                        peer_rss,
                        "with the simulated platform in-process (no budget: see live RSS)",
                    )
                )
    rows.extend(latency_rows(cockpit, tmp, args.latency_repeats))
    rows.extend(soak_rows(cockpit, pga, tmp, server, args.soak))
    return rows


def latency_rows(cockpit: str, tmp: Path, repeats: int) -> list[Row]:
    rows = []
    for label, throttle in (("unthrottled", None), ("reader at 64 KB/s", 64 * 1024)):
        term = Term(
            [cockpit, "demo"],
            (200, 50),
            env_for("truecolor", tmp),
            throttle_bps=throttle,
            screen=True,
        )
        term.wait_for(b"DEMO")
        # Keys are timed once the demo is polling: its embedded PostgreSQL has started and
        # the panes hold their first data (startup is the first-output rows' business). A
        # host where it cannot run keeps the exporter fallback: a minute is past startup too.
        with contextlib.suppress(TimeoutError):
            term.wait_shown("(database:", 60.0)
        time.sleep(2.0)
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


def soak_rows(cockpit: str, pga: str, tmp: Path, server: Any, soak_s: float) -> list[Row]:
    """`cockpit` (live) and pg_activity side by side for `soak_s`: RSS after it, and growth."""
    env = {**env_for("256", tmp), "BENCH_PG_DSN": server.ro_dsn}
    peer = Term([pga, "--refresh", "2", "--no-db-size", server.dsn], (200, 50), env)
    ours = Term([cockpit, "--config", str(live_config(tmp))], (200, 50), env)
    peer.wait_for(b"PostgreSQL")
    ours.wait_for(b"LIVE")
    time.sleep(4.0)
    start, peer_start = ours.rss_mb(), peer.rss_mb()
    ticks, peer_ticks = ours._cpu_ticks(), peer._cpu_ticks()
    time.sleep(soak_s)
    end, peer_end = ours.rss_mb(), peer.rss_mb()
    # The same seconds for both, ten times the idle window: CPU is read in 10 ms ticks, and
    # one 60 s window of a program using 0.2 % holds a dozen of them.
    cpu = 100.0 * (ours._cpu_ticks() - ticks) / TICKS / soak_s
    peer_cpu = 100.0 * (peer._cpu_ticks() - peer_ticks) / TICKS / soak_s
    ours.close()
    peer.close()
    growth = 100.0 * (end - start) / start if start else 0.0
    peer_growth = 100.0 * (peer_end - peer_start) / peer_start if peer_start else 0.0
    note = f"`cockpit` vs pg_activity side by side, {soak_s:g} s"
    return [
        Row(f"live: RSS after {soak_s:g} s MB", end, RSS_RATIO * peer_end, peer_end, note),
        Row("live: RSS growth over the soak %", growth, 10.0, peer_growth, "budget: 8 h <= 10 %"),
        Row("live: CPU % over the soak, 2 s refresh", cpu, CPU_RATIO * peer_cpu, peer_cpu, note),
    ]


def scale_rows(tmp: Path) -> list[Row]:
    from bench.scale import RUNS, compare

    got = compare(tmp)  # the big log and an empty one, each in a fresh process, RUNS times
    note = f"median of {RUNS}, replay builder in-process, 200x50; ranked by the catalog"
    empty = f"empty log {got['empty_first_screen_ms']:.0f} ms"
    runs = "/".join(str(d) for d in got["first_screen_deltas"])
    return [
        Row(
            "10k alerts/5k tenants/2k groups: first screen ms over an empty log",
            got["first_screen_delta_ms"],
            300.0,
            note=f"{note}; {empty}; runs {runs}",
        ),
        Row("same: first screen ms (absolute, seek included)", got["first_screen_ms"], None,
            note=empty),
        Row(
            "same: longest event-loop stall ms",
            got["max_stall_ms"],
            50.0,
            note=f"longest of {RUNS}; 5 ms probe, keys 1-4, scrolling, right after the first "
            "screen (the background fold resumes from the startup seek: nothing left here)",
        ),
        Row("same: ... once the replay's background fold is done", got["max_stall_after_fold_ms"],
            50.0, note="the same keys again"),
    ]  # fmt: skip


def log_rows() -> list[Row]:
    """Library figures from `python bench/bench_log.py` (not a command): append and volume.

    Its 1 GB open and seek figures time `LogIndex` and `Player.build_checkpoints`, which the
    shipped replay does not call: they are left out (bench/replay_bench.py times the command).
    """
    path = RESULTS / "log.json"
    if not path.exists():
        return [Row("library: run `python bench/bench_log.py` for the log rows", 0.0, None)]
    data: dict[str, Any] = json.loads(path.read_text())
    got, budgets = data["results"], data["budgets"]
    note = "bench/results/log.json (bench_log.py)"
    return [
        Row(
            "library: IncidentLog.append p99 ms (fsync)",
            got["append_p99_ms"],
            budgets["append_p99_ms"],
            note=note,
        ),
        Row(
            "library: 4-hour recording MB",
            got["volume_4h_mb"],
            budgets["volume_4h_mb"],
            note=note,
        ),
    ]


COMMAND_RUNS = 3
"""Runs of `cockpit verify` and `cockpit export` over the big log (their MB/s is the median)."""


def replay_rows(mb: float) -> list[Row]:
    """`cockpit replay`, `cockpit export` and `cockpit verify` on a big log, from
    bench/replay_bench.py (`rows()` -> (figure, measured, budget[, at_least])) when present."""
    try:
        from bench import replay_bench
    except ImportError:
        return [Row("replay/export/verify: bench/replay_bench.py is not here", 0.0, None)]
    found = []
    # verify and export: the median of three runs, as the other throughput-like rows (one run
    # of export gave 47 MB/s in a full bench and 58 as the median of three just after).
    for item in replay_bench.rows(mb=mb, runs=COMMAND_RUNS):
        figure, measured, budget = item[0], item[1], item[2]
        at_least = bool(item[3]) if len(item) > 3 else False
        note = f"{mb:g} MiB log" + (f", median of {COMMAND_RUNS}" if at_least else "")
        found.append(Row(figure, measured, budget, note=note, at_least=at_least))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a few-minute run (short windows, 60 s soak)"
    )
    parser.add_argument(
        "--soak", type=float, help="soak seconds (default 600, 60 with --quick; 3600: one hour)"
    )
    parser.add_argument(
        "--replay-mb", type=float, default=200.0, help="size of the replay bench's log (MiB)"
    )
    args = parser.parse_args(argv)
    args.soak = args.soak if args.soak is not None else (60.0 if args.quick else 600.0)
    args.runs = 5 if args.quick else 10
    args.window = 5.0 if args.quick else 15.0
    args.cpu_window = 20.0 if args.quick else 60.0
    args.latency_repeats = 10 if args.quick else 30
    pga = ensure_pg_activity()
    sys.path.insert(0, str(ROOT / "tests"))
    from stack.postgres import PostgresServer

    began = time.monotonic()
    server = PostgresServer()
    try:
        server.setup()
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-") as tmp:
            rows = run_terminal_rows(args, Path(tmp), server, pga)
            rows.extend(scale_rows(Path(tmp)))
    finally:
        server.cleanup()
    rows.extend(replay_rows(args.replay_mb))
    rows.extend(log_rows())
    print_table(rows)
    meta = {
        "quick": args.quick,
        "soak_s": args.soak,
        "replay_mb": args.replay_mb,
        "window_s": args.window,
        "cpu_window_s": args.cpu_window,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "wall_s": round(time.monotonic() - began, 1),
    }
    write_summary(RESULTS / "summary.json", rows, meta)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
