"""Canonical JSON form of IncidentState: the basis of state equality, digests and debugging."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cockpit.clock import rfc3339

if TYPE_CHECKING:
    from cockpit.domain.state import IncidentState


def plain(value: Any) -> Any:
    """`value` as JSON data: records become objects, datetimes RFC 3339, sets sorted lists."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return rfc3339(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: plain(getattr(value, name)) for name in value._fields}
    if isinstance(value, Mapping):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple | deque):
        return [plain(v) for v in value]
    slots = getattr(type(value), "__slots__", None)
    if slots is not None:
        # Private slots are bookkeeping (copy-on-write flags), not part of the picture.
        return {n: plain(getattr(value, n)) for n in slots if not n.startswith("_")}
    return repr(value)


def _key(key: object) -> str:
    if isinstance(key, tuple):
        return "/".join(str(part) for part in key)
    return str(key)


def state_to_json(state: IncidentState) -> dict[str, Any]:
    """Every part of the state as JSON data."""
    kind = type(state)
    result: dict[str, Any] = {
        name: plain(getattr(state, name)) for name in kind.__slots__ if name not in kind.OPTIONS
    }
    return result


def state_digest(state: IncidentState) -> str:
    """SHA-256 hex of the canonical JSON (sorted keys), independent of dict insertion order."""
    text = json.dumps(
        state_to_json(state), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
