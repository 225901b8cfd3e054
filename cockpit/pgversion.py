"""psycopg's `__version__` without `importlib.metadata`: 1.1 MB and ~18 ms less at each start.

psycopg and psycopg-binary fill `__version__` in their `version` module by asking
`importlib.metadata`, which imports `email`, `zipfile`, `csv` and `importlib.resources` and
keeps them for the life of the process, to read one header of the package's `METADATA`.
`install()` (the command line only, before psycopg is imported) puts a finder in front of the
import system that serves those two modules with the `Version` header of the same
`*.dist-info` folder, found the way `importlib.metadata` finds it. It steps aside, and the
module is imported as shipped, unless its `version.py` is still exactly that one lookup (its
syntax tree is compared) and exactly one `*.dist-info` folder (no `*.egg-info`) names the
distribution in the first `sys.path` entry that has any.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from importlib.abc import Loader  # the type only: importlib.abc loads importlib.resources

MODULES = ("psycopg.version", "psycopg_binary.version")
"""The modules served (each package's `version`)."""

_SHIPPED = """
from importlib import metadata

try:
    __version__ = metadata.version({name!r})
except metadata.PackageNotFoundError:
    __version__ = "0.0.0.0"
"""
"""What each `version.py` holds (psycopg 3.2 and 3.3), its docstring aside."""


def _normalized(name: str) -> str:
    """A distribution name as `importlib.metadata` compares it (PEP 503, `_` for `-`)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def looked_up_name(source: str) -> str | None:
    """The distribution `source` (a `version.py`) asks `importlib.metadata` for, when the
    file is the shipped lookup and nothing else; None otherwise."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    calls = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    if len(calls) != 1:
        return None
    name = str(calls[0])
    expected = ast.parse(_SHIPPED.format(name=name)).body
    same = ast.dump(ast.Module(body, [])) == ast.dump(ast.Module(expected, []))
    return name if same else None


def dist_version(name: str, paths: Sequence[str]) -> str | None:
    """The `Version` header of distribution `name`, from the first entry of `paths` holding
    metadata for it; None when that entry holds several, an `.egg-info`, or no header."""
    wanted = _normalized(name)
    for entry in paths:
        try:
            children = [child.name for child in Path(entry or ".").iterdir()]
        except OSError:
            continue
        found = [
            child
            for child in children
            if child.lower().endswith((".dist-info", ".egg-info"))
            and _normalized(child.lower().rpartition(".")[0].partition("-")[0]) == wanted
        ]
        if not found:
            continue
        if len(found) != 1 or not found[0].lower().endswith(".dist-info"):
            return None
        return _header(Path(entry or ".", found[0], "METADATA"), "Version")
    return None


def _header(path: Path, field: str) -> str | None:
    """The value of `field` in the header block of a METADATA file; None if absent."""
    try:
        with path.open(encoding="utf-8") as file:
            for line in file:
                if not line.strip():
                    return None  # end of the headers
                key, sep, value = line.partition(":")
                if sep and key == field:
                    return value.strip() or None
    except (OSError, UnicodeDecodeError):
        return None
    return None


class _Loader:
    """Executes a served `version` module: its `__version__`, nothing imported."""

    def __init__(self, version: str) -> None:
        self.version = version

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__["__version__"] = self.version


class VersionFinder:
    """A meta path finder serving `MODULES` (see the module docstring); None for the rest."""

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name not in MODULES:
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is None or not spec.origin or not spec.has_location:
            return None
        try:
            source = Path(spec.origin).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        dist = looked_up_name(source)
        version = dist_version(dist, sys.path) if dist is not None else None
        if version is None:
            return None
        spec.loader = cast("Loader", _Loader(version))  # same name, origin and `__file__`
        return spec


def install() -> None:
    """Serve psycopg's version modules from now on (idempotent; a no-op once psycopg is
    imported)."""
    if "psycopg" in sys.modules or any(isinstance(f, VersionFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, VersionFinder())
