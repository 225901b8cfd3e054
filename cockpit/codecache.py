"""A per-user cache of the methods `dataclasses` generates, so a start skips compiling them.

Every `@dataclass` writes the source of its `__init__`, `__repr__`, `__eq__`, `__hash__` and,
when frozen, `__setattr__`/`__delattr__`, then compiles it. Our few hundred value classes and
Textual's spent 110-200 ms of each start in `compile()` alone, on text that is the same from
one start to the next. `install()` makes `dataclasses` look its code objects up by their exact
source text in a file under the user's cache directory; `save()` writes back what was missing,
and `release()` also hands the memory back once a long-running program has started.
The code executed is the code `compile()` returns for that very text, so nothing changes but
the time. A missing, foreign, corrupt or unsafe cache file is ignored (compiled as before).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

from cockpit.cachefile import read_private, write_private

_MAX_ENTRIES = 8192
"""Past this, the file keeps only what the last program used (texts change between versions)."""

_known: dict[str, bytes] = {}
_missed = False
_path: Path | None = None


def cache_file(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path:
    """Where the cache lives: one file per Python bytecode version, like `__pycache__`."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
    return Path(base) / "incident-cockpit" / f"dataclass-code-{tag}.marshal"


def _exec(source: Any, globals_: Any = None, locals_: Any = None) -> None:
    """`exec` as `dataclasses` calls it, with the compiled text taken from the cache."""
    global _missed
    if isinstance(source, str):
        code = _code(_known.get(source))
        if code is None:
            code = compile(source, "<string>", "exec")
            _known[source] = marshal.dumps(code)
            _missed = True
        source = code
    exec(source, globals_, locals_)  # noqa: S102 - the text dataclasses itself generated


def _code(blob: bytes | None) -> CodeType | None:
    """The code object in one cache entry; None when absent or not a code object."""
    if blob is None:
        return None
    try:
        code = marshal.loads(blob)  # noqa: S302 - from our own checked file (see _load)
    except (ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _load(path: Path) -> dict[str, bytes]:
    """Source text -> its marshalled code. Entries stay bytes until a class asks for one: a
    start uses about half of them, and bytes cost neither the time nor the memory of code."""
    raw = read_private(path)  # code from this file runs: only ours, unshared
    if raw is None:
        return {}
    try:
        data = marshal.loads(raw)  # noqa: S302 - ours, checked by read_private
    except (ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, bytes)}


def install(path: Path | None = None) -> None:
    """Route `dataclasses`' compilation through the cache (idempotent; the command line only)."""
    global _path
    if _path is not None:
        return
    _path = path or cache_file()
    _known.update(_load(_path))
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(save)


def save() -> None:
    """Write the cache when this run compiled something it did not hold; never raises."""
    global _missed
    if _path is None or not _missed:
        return
    _missed = False
    data = dict(_known)
    if len(data) > _MAX_ENTRIES:
        data = dict(list(data.items())[-_MAX_ENTRIES:])
    with contextlib.suppress(ValueError):  # an entry marshal cannot write: keep the old file
        write_private(_path, marshal.dumps(data))


def release() -> None:
    """Save, then compile as `dataclasses` always did and free the cache (the app calls this
    once its first screen is up: the few classes built later are not worth a megabyte)."""
    global _path
    save()
    if _path is not None:
        _path = None
        _known.clear()
        with contextlib.suppress(AttributeError):
            del dataclasses.exec  # type: ignore[attr-defined]
