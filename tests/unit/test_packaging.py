"""The wheel carries the core, the UI package and the runbooks, so `pip install .` is enough."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def declared_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_python_package_is_declared() -> None:
    found = {
        ".".join(("cockpit", *p.parent.relative_to(ROOT / "cockpit").parts))
        for p in (ROOT / "cockpit").rglob("__init__.py")
    }
    found |= {
        ".".join(("cockpit", "screens", *p.parent.relative_to(ROOT / "screens").parts))
        for p in (ROOT / "screens").rglob("__init__.py")
    }
    found.add("cockpit.runbooks")
    assert found <= declared_packages(), sorted(found - declared_packages())


def test_wheel_carries_ui_and_runbooks(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cockpit/screens/dashboard.py" in names
    assert "cockpit/screens/dashboard.tcss" in names
    assert "cockpit/runbooks/alerts.yaml" in names
    assert sum(1 for n in names if n.startswith("cockpit/runbooks/RB-")) == 10
    assert not any(n.startswith("screens/") or n.startswith("tests/") for n in names)
