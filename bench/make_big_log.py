"""Write a big, realistic incident log (demo-like polls every 2 s, chained and hashed).

Usage: python bench/make_big_log.py OUT [--mb 1000]
The recorder's work is done for 4 hours of polls once; the payloads are then re-encoded in
time-shifted cycles (new seq, ts and chain hash per line) until the file reaches the size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_log import write_scenario

POLLS = 4 * 1800
"""Four hours of polls at 2 s, the cycle that repeats."""


def make_big_log(out: Path, mb: float) -> int:
    """Write `out` of about `mb` MiB; returns the number of events."""
    return write_scenario(out, polls=POLLS, stop_bytes=int(mb * 1024 * 1024))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the log file to write (overwritten)")
    parser.add_argument("--mb", type=float, default=1000.0, help="size in MiB (default 1000)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    events = make_big_log(args.out, args.mb)
    took = time.perf_counter() - start
    size = args.out.stat().st_size / 2**20
    print(f"{args.out}: {size:.0f} MiB, {events:,} events in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
