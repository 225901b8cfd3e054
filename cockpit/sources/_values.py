"""Normalising what servers send: cleaned strings, finite numbers, counted warnings, stable keys."""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from cockpit.clock import monotonic, parse_rfc3339, rfc3339
from cockpit.sanitize import clean
from cockpit.sources.base import Snapshot

LABEL_MAX = 1024
"""Longest label value kept; beyond that a value is noise (or an attack) and is cut."""

TEXT_MAX = 4096
"""Longest annotation kept (descriptions may be a few lines long)."""

_MAX_WARNINGS = 20


class Notes:
    """Warnings collected during one poll, deduplicated with a count.

    A source with 5,000 tenants must not emit 5,000 identical warnings: each distinct
    message is kept once and suffixed with how often it happened.
    """

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, message: str) -> None:
        """Record one occurrence of `message` (already clean text)."""
        if message in self._counts or len(self._counts) < _MAX_WARNINGS:
            self._counts[message] = self._counts.get(message, 0) + 1

    def extend(self, messages: list[str]) -> None:
        """Record several messages (e.g. Prometheus `warnings`)."""
        for message in messages:
            self.add(message)

    def result(self) -> tuple[str, ...]:
        """The warnings, in first-seen order."""
        return tuple(m if n == 1 else f"{m} (x{n})" for m, n in self._counts.items())


def label(value: object) -> str:
    """A label value or name: one line, sanitised, bounded."""
    if type(value) is str:
        return _label(value)
    return clean(value, single_line=True, max_len=LABEL_MAX)


# Label names and values repeat across series and across polls (alertname, severity, job,
# tenant): memoising them makes 10,000 alerts cost a dict lookup per string, not a regex.
@functools.lru_cache(maxsize=65536)
def _label(value: str) -> str:
    if len(value) <= LABEL_MAX and value.isascii() and value.isprintable():
        return value
    return clean(value, single_line=True, max_len=LABEL_MAX)


@functools.lru_cache(maxsize=16384)
def _text(value: str) -> str:
    return clean(value, max_len=TEXT_MAX)


def labels(raw: object) -> dict[str, str] | None:
    """A label map sanitised and sorted by name; None when `raw` is not a mapping."""
    if type(raw) is not dict and not isinstance(raw, Mapping):
        return None
    return {label(k): label(v) for k, v in _sorted_items(raw)}


def texts(raw: object) -> dict[str, str]:
    """Annotations: sanitised, newlines kept, bounded; anything not a mapping -> {}."""
    if type(raw) is not dict and not isinstance(raw, Mapping):
        return {}
    return {
        label(k): _text(v) if type(v) is str else clean(v, max_len=TEXT_MAX)
        for k, v in _sorted_items(raw)
    }


def _sorted_items(raw: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    # JSON objects only have str keys, which sort without a key function (faster).
    if type(raw) is dict and all(type(k) is str for k in raw):
        return sorted(raw.items())
    return sorted(raw.items(), key=lambda kv: str(kv[0]))


def number(value: object, notes: Notes, what: str) -> float | None:
    """A finite float, or None with a warning (NaN, +Inf, -Inf, garbage)."""
    if value is None:
        return None
    if isinstance(value, bool):
        notes.add(f"{what}: value is not a number")
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        notes.add(f"{what}: value is not a number")
        return None
    if not math.isfinite(result):
        notes.add(f"{what}: non-finite value (NaN/Inf) shown as none")
        return None
    return result


def count(value: float | None) -> int | None:
    """A finite float as an integer count (lags, quotas)."""
    return None if value is None else round(value)


def timestamp(value: object, notes: Notes, what: str) -> str | None:
    """An RFC 3339 timestamp normalised to the cockpit's UTC form, or None with a warning."""
    if not isinstance(value, str) or not value:
        return None
    result = _timestamp(value)
    if result is None:
        notes.add(f"{what}: unreadable timestamp")
    return result


@functools.lru_cache(maxsize=16384)
def _timestamp(value: str) -> str | None:
    try:
        return rfc3339(parse_rfc3339(value))
    except ValueError:
        return None


def stable_key(mapping: Mapping[str, str]) -> str:
    """A short hash identifying a label set independently of label order."""
    canonical = json.dumps(dict(sorted(mapping.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def snapshot(
    source: str, kind: str, items: list[dict[str, Any]], started: float, notes: Notes
) -> Snapshot:
    """Wrap normalised items; `started` is the monotonic time the poll began."""
    duration_ms = round((monotonic() - started) * 1000.0, 3)
    return Snapshot(
        source=source,
        kind=kind,
        items=tuple(items),
        duration_ms=duration_ms,
        warnings=notes.result(),
    )
