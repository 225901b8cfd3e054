"""Crash safety: a writer killed with SIGKILL never loses an acknowledged note (15 trials)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "kill_trials.py"


def test_kill_trials_lose_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--trials", "15", "--seed", "7", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("kill trials: 15 runs") and "0 failed trials" in summary
    assert (tmp_path / "kill-trials.jsonl").exists()
