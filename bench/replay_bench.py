"""Replay of a long log through the shipped commands, in a pty: `cockpit replay LOG` (first
frame, keys while the background fold runs, a seek with `g`, the timeline with `t`), and the
throughput of `cockpit verify LOG` and `cockpit export LOG`.

Usage: python bench/replay_bench.py [--log LOG | --mb 200] [--runs N] [--only commands]
Without --log, a realistic log of --mb MiB is generated in a temp dir (bench/make_big_log.py)
and deleted afterwards. `rows()` returns the table rows for `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.install import user_cockpit  # noqa: E402
from bench.make_big_log import make_big_log  # noqa: E402
from bench.term import Term  # noqa: E402
from cockpit.clock import parse_rfc3339  # noqa: E402
from cockpit.domain.sla import compact_duration  # noqa: E402

SIZE = (200, 50)
SEEK_TO_H = (40.0, 10.0, 25.0)
"""Seek targets (hours from the first event), clamped to the log's span."""


class ReplayRow(NamedTuple):
    """One table row: `measured` is within budget when <= `budget` (>= when `at_least`)."""

    figure: str
    measured: float
    budget: float | None
    at_least: bool = False

    @property
    def ok(self) -> bool:
        """True when within budget (or without one)."""
        if self.budget is None:
            return True
        return self.measured >= self.budget if self.at_least else self.measured <= self.budget


def span_of(log: Path) -> tuple[datetime, int, float]:
    """First event time, last seq and span in seconds (reads the first and last line)."""
    with log.open("rb") as stream:
        first = json.loads(stream.readline())
        stream.seek(max(0, log.stat().st_size - 2_000_000))
        last = json.loads(stream.read().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    start = parse_rfc3339(first["ts"])
    return start, int(last["seq"]), (parse_rfc3339(last["ts"]) - start).total_seconds()


def _clear(term: Term) -> None:
    with term.lock:
        term.tail.clear()


def _after(term: Term, keys: bytes, needle: bytes, timeout_s: float) -> float:
    """Seconds from typing `keys` until `needle` is on the screen."""
    _clear(term)
    term.catch_up()
    sent = time.monotonic()
    term.send(keys)
    return term.shown_after(needle.decode(), sent, timeout_s)


SEEK_PROMPT = "Go to (T+"
"""The seek dialog's own label: the footer's "g Go to" is on the screen before it opens."""


def seek_s(term: Term, hours: int) -> float:
    """`g`, type T+hh:00:00, Enter: seconds from Enter to the playhead showing it. Enter is
    sent once the dialog is open and shows the typed time: the figure is the seek alone."""
    term.quiet(0.3)
    _clear(term)
    term.send(b"g")
    term.wait_shown(SEEK_PROMPT, 10)
    typed = f"T+{hours:02d}:00:00"
    term.send(typed.encode())
    term.wait_shown(typed, 10)
    term.quiet(0.2)
    needle = f"(T+{compact_duration(hours * 3600)})".encode()
    return _after(term, b"\r", needle, 120)


def wait_for_children(pid: int, timeout_s: float) -> float:
    """Monotonic time once `pid` has no child process left (the replay verifies the log in
    a child after its background fold)."""
    end = time.monotonic() + timeout_s
    children = Path(f"/proc/{pid}/task/{pid}/children")
    while time.monotonic() < end:
        try:
            if not children.read_text().split():
                return time.monotonic()
        except OSError:
            return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError(f"the replay still has a child process after {timeout_s} s")


def key_ms(term: Term, repeats: int = 6) -> list[float]:
    """Latency of the speed keys (`+`, `-`): the screen answers while a fold runs."""
    return term.key_latency_ms(b"+", b"-", repeats)


def replay_rows(cockpit: str, log: Path) -> list[ReplayRow]:
    """First frame, keys and a seek while the background fold runs, seeks and the
    timeline once it is done."""
    _start, last_seq, span = span_of(log)
    hours = [int(min(h, span / 3600 * 0.9)) for h in SEEK_TO_H]
    mb = log.stat().st_size / 2**20
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    term = Term([cockpit, "replay", str(log)], SIZE, env, screen=True)
    try:
        first = term.wait_for(b"PAUSED", 60)
        keys = key_ms(term)
        early = seek_s(term, hours[0])
        fold_s = term.wait_shown(f"/{last_seq}", 1800) - first
        print(
            f"first frame {first:.2f} s, keys {keys}, early seek {early:.2f} s, "
            f"fold {fold_s:.1f} s",
            file=sys.stderr,
        )
        term.quiet(0.3)
        busy = [seek_s(term, h) for h in hours[1:]]
        verified_s = wait_for_children(term.proc.pid, 1800) - term.started - first
        seeks = [seek_s(term, h) for h in hours[1:]]
        rss = term.rss_mb()
        term.quiet(0.3)
        timeline = _after(term, b"t", b" entries", 30)
        print(f"seeks {busy} s while verifying, {seeks} s after", file=sys.stderr)
        term.quiet(0.3)
        term.send(b"\x1b")
        term.quiet(0.3)
    finally:
        term.close()
    tag = f"{mb:.0f} MB log"
    return [
        ReplayRow(f"replay {tag}: first frame s", first, 1.5),
        ReplayRow(f"replay {tag}: key while folding, max ms", max(keys), 200.0),
        ReplayRow(f"replay {tag}: seek +{hours[0]}h before checkpoints s", early, None),
        ReplayRow(f"replay {tag}: background fold s", fold_s, None),
        ReplayRow(f"replay {tag}: seek max ms while verify runs", max(busy) * 1000, None),
        ReplayRow(f"replay {tag}: background verify done s", verified_s, None),
        ReplayRow(f"replay {tag}: seek max ms (checkpoints built)", max(seeks) * 1000, 200.0),
        ReplayRow(f"replay {tag}: timeline (t) ms", timeline * 1000, 300.0),
        ReplayRow(f"replay {tag}: RSS MB with all checkpoints", rss, None),
    ]


def throughput_mb_s(cockpit: str, args: list[str], log: Path, runs: int = 1) -> float:
    """MB/s of a command over the whole log, run in a pty to its end (the median of `runs`:
    on a shared machine one run can land on a busy moment)."""
    mb = log.stat().st_size / 2**20
    times = []
    for _ in range(runs):
        term = Term([cockpit, *args], SIZE, {"TERM": "xterm-256color"})
        term.proc.wait(timeout=3600)
        times.append(time.monotonic() - term.started)
        term._reader.join(timeout=2)
        os.close(term.master)
    return mb / statistics.median(times)


def command_rows(cockpit: str, log: Path, out: Path, runs: int = 1) -> list[ReplayRow]:
    """`cockpit verify` and `cockpit export` throughput (budget: 50 MB/s or more)."""
    mb = log.stat().st_size / 2**20
    verify = throughput_mb_s(cockpit, ["verify", str(log)], log, runs)
    export = throughput_mb_s(cockpit, ["export", str(log), "-o", str(out)], log, runs)
    return [
        ReplayRow(f"verify {mb:.0f} MB log: MB/s", verify, 50.0, at_least=True),
        ReplayRow(f"export {mb:.0f} MB log: MB/s", export, 50.0, at_least=True),
    ]


def rows(
    log: Path | None = None, mb: float = 200.0, runs: int = 1, only: str = "all"
) -> list[ReplayRow]:
    """Every replay figure (`only`: "replay" or "commands" for one half); generates a `mb`
    MiB log in a temp dir unless `log` is given."""
    cockpit = user_cockpit()
    with tempfile.TemporaryDirectory(prefix="cockpit-replay-bench-") as name:
        tmp = Path(name)
        if log is None:
            log = tmp / "big.jsonl"
            make_big_log(log, mb)
        table = replay_rows(cockpit, log) if only in ("all", "replay") else []
        if only in ("all", "commands"):
            table += command_rows(cockpit, log, tmp / "export.md", runs)
        return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, help="an existing log (default: generate one)")
    parser.add_argument("--mb", type=float, default=200.0, help="size of the generated log")
    parser.add_argument("--runs", type=int, default=1, help="runs of verify and export (median)")
    parser.add_argument(
        "--only",
        choices=("all", "replay", "commands"),
        default="all",
        help="the replay figures, or verify and export only (default: both)",
    )
    args = parser.parse_args(argv)
    table = rows(args.log, args.mb, args.runs, args.only)
    for row in table:
        budget = "" if row.budget is None else f"{'>=' if row.at_least else '<='} {row.budget:g}"
        verdict = "" if row.budget is None else ("ok" if row.ok else "OVER")
        print(f"{row.figure:52} {row.measured:10.3f}  {budget:10} {verdict}")
    return 0 if all(row.ok for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())
