"""Every package under cockpit/ is listed in pyproject.toml, so `pipx install .` ships it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_ships() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "cockpit").rglob("__init__.py")
        if "__pycache__" not in init.parts
        and init.parent.name not in ("runbooks", "screens")
        and not any(p.is_symlink() for p in init.parents if p != ROOT and ROOT in p.parents)
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
