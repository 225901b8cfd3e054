"""The core never imports Textual or the screens (checked in a clean interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import cockpit

CORE_PACKAGES = ("log", "domain", "sources", "runbook", "export", "sim", "settings")


def core_modules() -> list[str]:
    names = ["cockpit.config", "cockpit.clock", "cockpit.sanitize", "cockpit.cli"]
    for info in pkgutil.walk_packages(cockpit.__path__, "cockpit."):
        if info.name.split(".")[1] in CORE_PACKAGES:
            names.append(info.name)
    return sorted(names)


def test_core_modules_do_not_load_textual() -> None:
    modules = core_modules()
    assert any(m.startswith("cockpit.log.") for m in modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' "
        "or m.startswith('cockpit.screens'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
