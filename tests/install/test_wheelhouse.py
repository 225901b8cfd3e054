"""The air-gapped install: `make wheelhouse`, then the README's pipx command with no network
at all (a new network namespace), with the system Python; the installed demo then runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from ptyrun import run_in_pty

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _readme_offline_command() -> str:
    """The offline install command as the README writes it."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"`(pipx install --pip-args='--no-index[^`]+)`", text)
    assert found, "the README must document the offline pipx command"
    return found.group(1)


@pytest.mark.timeout(1200)
def test_wheelhouse_installs_offline_and_the_demo_runs(tmp_path: Path) -> None:
    assert SYSTEM_PYTHON.exists(), "this test needs the host's system Python"
    assert shutil.which("pipx"), "pipx is missing: apt-get install pipx (make setup does)"
    assert shutil.which("unshare"), "unshare (util-linux) is needed to cut the network"
    wheelhouse = tmp_path / "wheelhouse"
    built = subprocess.run(
        ["make", "-C", str(REPO), "wheelhouse", f"WHEELHOUSE={wheelhouse}"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheels = {p.name.split("-")[0].lower() for p in wheelhouse.glob("*.whl")}
    assert {"incident_cockpit", "textual", "psycopg", "httpx", "kubernetes"} <= wheels

    home = tmp_path / "home"
    home.mkdir()
    # No pip configuration, no index, no network: only the wheelhouse can serve the install.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PIPX_"))}
    env.update(HOME=str(home), PIP_CONFIG_FILE=os.devnull, PATH="/usr/bin:/bin")
    command = _readme_offline_command()
    installed = subprocess.run(
        ["unshare", "-rn", "bash", "-c", command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    cockpit = home / ".local" / "bin" / "cockpit"
    version = subprocess.run(
        [str(cockpit), "--version"], env=env, capture_output=True, text=True, timeout=60
    )
    assert version.stdout.startswith("cockpit "), version.stderr
    venv_python = home / ".local" / "pipx" / "venvs" / "incident-cockpit" / "bin" / "python"
    assert venv_python.resolve().parent == SYSTEM_PYTHON.resolve().parent

    run = run_in_pty(
        [str(cockpit), "demo"],
        size=(80, 24),
        env={"HOME": str(home)},
        keys=[(1.0, b"q")],
        settle_s=6.0,
        timeout_s=30.0,
    )
    assert run.returncode == 0, run.output[-2000:]
    assert b"DEMO" in run.output
