"""`cockpit drill` as a user meets it: what it needs, and clear errors for a bad speed, a
missing file and a file that is not an incident log (no drill log is left behind)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def drill(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "cockpit", "drill", *args, "--log-dir", str(cwd / "logs")],
        capture_output=True, text=True, cwd=cwd, timeout=60, env=env,
    )  # fmt: skip


def test_drill_says_what_it_needs_and_refuses_bad_input(tmp_path: Path) -> None:
    bare = drill(cwd=tmp_path)
    assert bare.returncode == 2 and "give a past incident LOG, or --sample" in bare.stderr
    fast = drill("--sample", "--speed", "100", cwd=tmp_path)
    assert fast.returncode == 2 and "--speed must be between 1 and 64, not 100" in fast.stderr
    missing = drill(str(tmp_path / "nope.jsonl"), cwd=tmp_path)
    assert missing.returncode == 2 and "nope.jsonl: cannot replay it as a drill" in missing.stderr
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not a log\n")
    bad = drill(str(junk), cwd=tmp_path)
    assert bad.returncode == 2 and "junk.jsonl: cannot replay it as a drill" in bad.stderr
    assert not list((tmp_path / "logs").glob("drill-*"))
