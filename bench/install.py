"""The `cockpit` command the bench measures: this checkout installed as the README installs it.

`pipx install .` gives the command its own virtual environment holding the runtime
dependencies only, with bytecode compiled at install. The development `.venv` also holds the
test and lint tools, and some of them change what a start loads: import-linter brings click,
and httpx imports its command-line module (click, pygments, rich.syntax, 3.4 MB) whenever
click is importable. So the bench installs the checkout the same way into
`bench/results/user-venv`, refreshed from the working tree at every run.

    BENCH_COCKPIT=/path/to/cockpit python -m bench   # measure another command instead
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / "results" / "user-venv"
_ready: str | None = None


def user_cockpit() -> str:
    """The path of the user-installed `cockpit` (installed or refreshed on the first call)."""
    global _ready
    if _ready is not None:
        return _ready
    override = os.environ.get("BENCH_COCKPIT")
    if override:
        _ready = override
        return override
    python = VENV / "bin" / "python"
    quiet = ["--quiet", "--disable-pip-version-check"]
    if not python.exists():
        print(f"bench: installing the checkout into {VENV} as pipx would", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", *quiet, str(ROOT)], check=True)
    else:
        # The working tree as it is now; its dependencies are already there.
        subprocess.run(
            [str(python), "-m", "pip", "install", *quiet, "--force-reinstall", "--no-deps",
             str(ROOT)],
            check=True,
        )  # fmt: skip
    _ready = str(VENV / "bin" / "cockpit")
    return _ready
