"""Crash trials: SIGKILL a note-appending child at random moments; no acknowledged note may be lost.

Usage: python bench/kill_trials.py [--trials N] [--seed S] [--dir DIR]
Exit status 0 when every trial kept every acknowledged note and the chain verified.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cockpit.clock import SystemClock
from cockpit.log.events import NoteAdded
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.log.verify import verify


def child(log_path: str) -> None:
    """Append notes forever; print `seq note_id` once each append has returned (acked)."""
    rng = random.Random(os.getpid())
    log, _ = IncidentLog.open(log_path, clock=SystemClock())
    i = 0
    while True:
        note_id = f"{os.getpid()}-{i}"
        # Mostly small notes, sometimes big ones, so a kill can land inside a large write.
        size = rng.choice((20, 200, 2000, 300_000))
        event = log.append(NoteAdded(note_id=note_id, text="z" * size, author="trial"))
        sys.stdout.write(f"{event.seq} {note_id}\n")
        sys.stdout.flush()
        i += 1


def trial(log_path: Path, rng: random.Random) -> tuple[set[str], str | None]:
    """One child run killed at a random moment; returns (acked note ids, problem or None)."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(log_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the child is appending from here on
    time.sleep(rng.uniform(0.0, 0.08))
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    acked = {line.split()[1] for line in (first + rest).splitlines() if len(line.split()) == 2}
    if not first:
        return acked, "child died before its first append"
    return acked, None


def run(trials: int, seed: int, directory: Path) -> int:
    rng = random.Random(seed)
    log_path = directory / "kill-trials.jsonl"
    all_acked: set[str] = set()
    torn = losses = 0
    for number in range(1, trials + 1):
        acked, problem = trial(log_path, rng)
        all_acked |= acked
        log, report = IncidentLog.open(log_path, clock=SystemClock())
        log.close()
        torn += report.torn is not None
        checked = verify(log_path, None)
        present = {
            str(r.event.data["note_id"])
            for r in LogReader(log_path)
            if r.event.type == "note.added"
        }
        missing = all_acked - present
        if problem or not checked.ok or missing:
            losses += 1
            print(f"trial {number}: {problem or ''} {checked.summary} missing={len(missing)}")
    print(
        f"kill trials: {trials} runs, {len(all_acked)} acknowledged notes, "
        f"{torn} torn tails moved aside, {losses} failed trials; last: {checked.summary}"
    )
    return 1 if losses else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="where to keep the log (default: a temp dir)")
    parser.add_argument("--child", metavar="LOG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    if args.dir:
        return run(args.trials, args.seed, args.dir)
    with tempfile.TemporaryDirectory(prefix="cockpit-kill-") as tmp:
        return run(args.trials, args.seed, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
