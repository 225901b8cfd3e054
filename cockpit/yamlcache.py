"""YAML read once per text: a per-user cache of parsed documents, so a start skips PyYAML.

The live cockpit reads the alert catalog after its first frame. Importing PyYAML for that
cost about 25 ms and 0.9 MB for the life of the process, to parse the same text every time.
Once `enable()` names a cache directory (the command line does), `load()` looks the text up
by its SHA-256 in one JSON file there, and parses with PyYAML only on a miss. A document is
kept only if JSON gives it back exactly (mappings with string keys, lists, strings, finite
floats, 64-bit integers, booleans, null); a YAML date or a NaN is parsed each time instead.
A missing, corrupt, foreign or writable-by-others file is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from pathlib import Path
from typing import Any

import orjson

from cockpit.cachefile import read_private, write_private

_MAX_ENTRIES = 16
"""Texts kept (oldest dropped first): the catalog and a few edits of it."""

_file: Path | None = None


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; `line` is 1-based when PyYAML said where."""

    def __init__(self, line: int | None) -> None:
        super().__init__("not valid YAML")
        self.line = line


def enable(directory: Path) -> None:
    """Keep parsed documents under `directory` (the command line only; tests parse each time)."""
    global _file
    _file = directory / "yaml-documents.json"


def disable() -> None:
    """Parse every text again (the state before `enable`)."""
    global _file
    _file = None


def load(text: str) -> Any:
    """The document `text` holds, as PyYAML's safe loader reads it; YamlSyntaxError if none."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    known = _read(_file) if _file is not None else {}
    if digest in known:
        return known[digest]
    doc = _parse(text)
    if _file is not None and _plain(doc):
        known.pop(digest, None)
        known[digest] = doc
        _write(_file, dict(list(known.items())[-_MAX_ENTRIES:]))
    return doc


def _parse(text: str) -> Any:
    import yaml  # only on a miss: PyYAML stays out of a process whose texts are known

    try:
        # libyaml's loader when built in: 3 ms instead of 17 for the packaged catalog.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlSyntaxError(mark.line + 1 if mark is not None else None) from None


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether JSON gives `value` back exactly (so the cached copy equals PyYAML's)."""
    if depth > 100:
        return False
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return True
    if kind is int:
        return bool(-(2**63) <= value < 2**64)
    if kind is float:
        return math.isfinite(value)
    if kind is list:
        return all(_plain(item, depth + 1) for item in value)
    if kind is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


def _read(path: Path) -> dict[str, Any]:
    raw = read_private(path)
    if raw is None:
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, known: dict[str, Any]) -> None:
    """Keep `known`; a failure only costs the next start a parse."""
    with contextlib.suppress(TypeError, orjson.JSONEncodeError):
        write_private(path, orjson.dumps(known))
