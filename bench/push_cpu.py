"""CPU and bytes/s of the cockpit next to pg_activity, measured in the SAME window.

The machine is shared and noisy, so the processes run side by side and the ratio is what
counts: pg_activity at 2 s refresh and the live cockpit on the same PostgreSQL at 2 s polls
(`--demo`: `cockpit demo` instead, whose simulated platform runs in the same process), from
this tree and, when `--before` names another tree, from that one; then paused replays
(nothing changes: 0 B/s expected).

    PYTHONPATH=$PWD python -m bench.push_cpu [--window 20] [--before /work/main]
        [--pg-activity PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.install import user_cockpit
from bench.term import TICKS, Term

ROOT = Path(__file__).resolve().parents[1]
SIZE = (200, 50)


def _env(tree: Path, data: Path) -> dict[str, str]:
    return {"TERM": "xterm-256color", "COLORTERM": "", "XDG_DATA_HOME": str(data),
            "PYTHONPATH": str(tree)}  # fmt: skip


def _window(terms: dict[str, Term], seconds: float) -> dict[str, tuple[float, float]]:
    """Bytes/s and CPU % of every process over the same `seconds`."""
    before = {name: (t.total, t._cpu_ticks()) for name, t in terms.items()}
    time.sleep(seconds)
    out = {}
    for name, t in terms.items():
        total, ticks = before[name]
        cpu = 100.0 * (t._cpu_ticks() - ticks) / TICKS / seconds
        out[name] = ((t.total - total) / seconds, cpu)
    return out


def _print(title: str, got: dict[str, tuple[float, float]], peer: str | None) -> None:
    print(title)
    for name, (bps, cpu) in got.items():
        ratio = ""
        if peer is not None and name != peer and got[peer][1] > 0:
            ratio = f"  CPU ratio to {peer}: {cpu / got[peer][1]:.2f}"
        print(f"  {name:<22} {bps:>9.0f} B/s  {cpu:>6.2f} % CPU{ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.push_cpu", description=__doc__)
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--before", type=Path, help="another tree to run next to this one")
    parser.add_argument("--pg-activity", help="the pg_activity command (default: on PATH)")
    parser.add_argument("--demo", action="store_true", help="run `cockpit demo`, not live")
    args = parser.parse_args(argv)
    cockpit = user_cockpit()
    pga = args.pg_activity or shutil.which("pg_activity")
    if pga is None:
        raise SystemExit("bench.push_cpu: pg_activity is not on PATH")
    sys.path.insert(0, str(ROOT / "tests"))
    from stack.postgres import PostgresServer

    from bench.scale import write_big_log

    trees = {"cockpit (this tree)": ROOT}
    if args.before is not None:
        trees["cockpit (before)"] = args.before.resolve()
    server = PostgresServer()
    server.setup()
    try:
        with tempfile.TemporaryDirectory(prefix="cockpit-push-") as tmp:
            data = Path(tmp)
            idle_log = data / "idle.jsonl"
            write_big_log(idle_log, 40, 30, 12)
            terms: dict[str, Term] = {}
            try:
                terms["pg_activity"] = Term([pga, "--refresh", "2", "--no-db-size", server.dsn],
                                            SIZE, _env(ROOT, data))  # fmt: skip
                config = data / "cockpit.toml"
                config.write_text('[postgres]\ndsn_env = "PUSH_PG_DSN"\n\n[ui]\n'
                                  "refresh_seconds = 2\n", encoding="utf-8")  # fmt: skip
                for n, (name, tree) in enumerate(trees.items()):
                    env = {**_env(tree, data), "PUSH_PG_DSN": server.dsn}
                    argv = (
                        [cockpit, "demo"]
                        if args.demo
                        else [
                            cockpit,
                            "--config",
                            str(config),
                            "--log",
                            str(data / f"live{n}.jsonl"),
                        ]
                    )
                    terms[name] = Term(argv, SIZE, env)
                terms["pg_activity"].wait_for(b"PostgreSQL")
                for name in trees:
                    terms[name].wait_for(b"DEMO" if args.demo else b"LIVE", timeout_s=60)
                time.sleep(8.0)  # past startup: sources polling every 2 s
                _print(f"at 2 s refresh, {SIZE[0]}x{SIZE[1]}, {args.window:g} s, side by side",
                       _window(terms, args.window), "pg_activity")  # fmt: skip
            finally:
                for t in terms.values():
                    t.close()
            idle: dict[str, Term] = {}
            try:
                for name, tree in trees.items():
                    idle[name] = Term([cockpit, "replay", str(idle_log)], SIZE, _env(tree, data))
                for term in idle.values():
                    term.wait_for(b"REPLAY", timeout_s=60)
                    term.quiet(1.0)
                time.sleep(2.0)
                _print("nothing changes (replay, paused)", _window(idle, args.window), None)
            finally:
                for t in idle.values():
                    t.close()
    finally:
        server.cleanup()
    print(f"({os.cpu_count()} CPUs, shared; compare ratios within one run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
