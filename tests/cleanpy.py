"""Run code in a clean interpreter (only this checkout on the path): what a fresh start loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_clean(code: str, timeout: float = 60.0) -> str:
    """The standard output of `python -c code` in a fresh process; fails the test with its
    standard error when it exits non-zero."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
