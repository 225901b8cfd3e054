"""The dataclass code cache: a second start compiles nothing, and a bad cache file is ignored."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

from cockpit import codecache

_CHILD = """
import json, sys
from cockpit import codecache
codecache.install()
from dataclasses import FrozenInstanceError, dataclass

@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 2

p = Point(1)
try:
    p.x = 5
    frozen = False
except FrozenInstanceError:
    frozen = True
missed = codecache._missed
codecache.save()
print(json.dumps({"missed": missed, "repr": repr(p), "eq": p == Point(1, 2), "frozen": frozen,
                  "hash": hash(p) == hash(Point(1, 2))}))
"""


def _run(cache_home: Path) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_second_start_compiles_nothing_and_the_classes_behave_the_same(
    tmp_path: Path,
) -> None:
    first = _run(tmp_path)
    path = codecache.cache_file({"XDG_CACHE_HOME": str(tmp_path)})
    assert path.is_file()
    assert path.stat().st_mode & 0o777 == 0o600
    second = _run(tmp_path)
    assert first["missed"] is True
    assert second["missed"] is False
    for got in (first, second):
        assert got["repr"] == "Point(x=1, y=2)"
        assert got["eq"] is True and got["frozen"] is True and got["hash"] is True


def test_a_corrupt_or_foreign_cache_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    path.write_bytes(b"\x00not marshal at all")
    path.chmod(0o600)
    assert codecache._load(path) == {}
    path.write_bytes(marshal.dumps(["a list, not a mapping"]))
    assert codecache._load(path) == {}
    path.write_bytes(
        marshal.dumps({"text": "not bytes", 3: marshal.dumps(compile("1", "<s>", "eval"))})
    )
    assert codecache._load(path) == {}
    # The format before entries were kept as bytes (code objects) is ignored, not run.
    path.write_bytes(marshal.dumps({"x = 1": compile("x = 1", "<string>", "exec")}))
    assert codecache._load(path) == {}
    assert codecache._load(tmp_path / "missing.marshal") == {}
    # An entry whose bytes are not a code object is compiled instead of run.
    assert codecache._code(b"\x00junk") is None
    assert codecache._code(marshal.dumps("a string")) is None


def test_a_cache_file_others_may_write_is_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    code = marshal.dumps(compile("x = 1", "<string>", "exec"))
    path.write_bytes(marshal.dumps({"x = 1": code}))
    path.chmod(0o600)
    assert codecache._load(path) == {"x = 1": code}
    path.chmod(0o666)
    assert codecache._load(path) == {}
