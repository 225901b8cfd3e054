"""pgversion: psycopg's version read without importlib.metadata, and only when that is safe."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from cleanpy import run_clean

from cockpit import pgversion

PROBE = """
import json, sys
if {install}:
    from cockpit import pgversion
    pgversion.install()
before = set(sys.modules)
import psycopg
from psycopg import _cmodule
print(json.dumps({{
    "version": psycopg.__version__,
    "binary": _cmodule.__version__,
    "file": psycopg.version.__file__,
    "loaded": sorted(set(sys.modules) - before),
}}))
"""


def _probe(install: bool) -> dict[str, object]:
    result: dict[str, object] = json.loads(run_clean(PROBE.format(install=install)))
    return result


def test_psycopg_has_the_same_version_without_importing_importlib_metadata() -> None:
    """The served modules give psycopg (and its C module) the very version string
    importlib.metadata gives, and email, zipfile and importlib.metadata stay unloaded."""
    plain, served = _probe(install=False), _probe(install=True)
    assert served["version"] == plain["version"] != "0.0.0.0"
    assert served["binary"] == plain["binary"]
    assert served["file"] == plain["file"]
    assert "importlib.metadata" in plain["loaded"]  # what the finder saves
    loaded = served["loaded"]
    assert isinstance(loaded, list)
    heavy = [m for m in loaded if m.split(".")[0] in {"email", "zipfile", "csv"}]
    assert "importlib.metadata" not in loaded and heavy == []


def test_the_installed_psycopg_version_files_are_the_shape_served() -> None:
    """Fails when a psycopg upgrade changes its `version.py`: the finder then steps aside
    (nothing breaks) but the saving is gone, and this module needs a look."""
    for module in pgversion.MODULES:
        package = module.partition(".")[0]
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            continue  # psycopg-binary is optional
        source = Path(spec.origin).with_name("version.py").read_text(encoding="utf-8")
        assert pgversion.looked_up_name(source) is not None, module


SHIPPED = '''"""
psycopg distribution version file.
"""

from importlib import metadata

try:
    __version__ = metadata.version("psycopg")
except metadata.PackageNotFoundError:
    __version__ = "0.0.0.0"
'''


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (SHIPPED, "psycopg"),
        (SHIPPED + "__version_info__ = (3, 3)\n", None),
        (SHIPPED.replace('"0.0.0.0"', '"unknown"'), None),
        (SHIPPED.replace("metadata.version", "metadata.distribution"), None),
        ('__version__ = "3.3.9"\n', None),
        ("def broken(:\n", None),
    ],
)
def test_only_the_plain_lookup_is_served(source: str, expected: str | None) -> None:
    """Any other statement or call in `version.py` makes the finder step aside."""
    assert pgversion.looked_up_name(source) == expected


def _dist(where: Path, folder: str, headers: str) -> None:
    (where / folder).mkdir(parents=True)
    (where / folder / "METADATA").write_text(headers, encoding="utf-8")


def test_the_version_comes_from_the_first_path_entry_with_metadata(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    _dist(second, "psycopg_binary-3.3.9.dist-info", "Name: psycopg-binary\nVersion: 3.3.9\n\nx")
    _dist(tmp_path / "c", "psycopg_binary-9.9.dist-info", "Name: psycopg-binary\nVersion: 9.9\n")
    paths = [str(tmp_path / "missing"), str(first), str(second), str(tmp_path / "c")]
    assert pgversion.dist_version("psycopg-binary", paths) == "3.3.9"
    assert pgversion.dist_version("psycopg", paths) is None


@pytest.mark.parametrize(
    ("folders", "expected"),
    [
        (["psycopg-3.3.9.dist-info", "psycopg-3.2.0.dist-info"], None),  # which one?
        (["psycopg-3.3.9.egg-info"], None),  # importlib.metadata reads it differently
        (["psycopg_pool-3.2.0.dist-info", "psycopg-3.3.9.dist-info"], "3.3.9"),
    ],
)
def test_ambiguous_metadata_is_left_to_importlib(
    tmp_path: Path, folders: list[str], expected: str | None
) -> None:
    for folder in folders:
        version = folder.split("-")[1].removesuffix(".dist").removesuffix(".egg")
        _dist(tmp_path, folder, f"Name: x\nVersion: {version}\n")
    assert pgversion.dist_version("psycopg", [str(tmp_path)]) == expected


def test_a_metadata_file_without_a_version_header_gives_none(tmp_path: Path) -> None:
    _dist(tmp_path, "psycopg-3.3.9.dist-info", "Name: psycopg\n\nVersion: 1 (in the body)\n")
    assert pgversion.dist_version("psycopg", [str(tmp_path)]) is None
