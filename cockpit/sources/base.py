"""What every source returns: a normalised snapshot, or a SourceError saying what went wrong."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cockpit.settings.secrets import redact

SNAPSHOT_KINDS = ("alerts", "kafka", "tenants", "postgres")
"""Kinds of observation; each maps to one observation event type in the log."""

ERROR_KINDS = (
    "timeout", "connect", "http", "auth", "rate_limited", "parse", "config", "absent", "too_large"
)  # fmt: skip
"""Values of `SourceError.kind`; `absent`: the series vanished and their job is down."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything one poll of a source returned, normalised to JSON-safe data.

    For collection kinds (alerts, kafka, tenants) `items` holds one dict per entity, each
    with a unique string `key`. For `postgres`, `items` holds exactly one dict whose keys
    are the fields of `PostgresConnectionsObserved` (without source/duration/warnings).
    Non-finite floats are never stored: NaN/Inf become None (and a warning says so).
    """

    source: str
    kind: str
    items: tuple[Mapping[str, Any], ...]
    duration_ms: float
    warnings: tuple[str, ...] = ()


class SourceError(Exception):
    """A poll failed. `kind` is one of ERROR_KINDS; `message` is one line for the pane."""

    def __init__(self, kind: str, message: str, *, retry_after_s: float | None = None) -> None:
        # Servers echo what they were sent (a DSN, a header): known secrets never pass.
        message = redact(message)
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.retry_after_s = retry_after_s


class Source(Protocol):
    """A pollable source. `poll` enforces its own deadline and never retries silently."""

    name: str
    kind: str

    async def poll(self) -> Snapshot:
        """Fetch once, within the source's deadline; raise SourceError on failure."""
        ...
