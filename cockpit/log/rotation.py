"""Rolling watch logs: the cockpit records even before an incident is declared, and old
watch logs that never saw an incident are removed after a configured number of hours."""

from __future__ import annotations

import mmap
from datetime import datetime
from pathlib import Path

WATCH_GLOB = "watch-*.jsonl"
_DECLARED = b'"type":"incident.declared"'


def holds_incident(path: Path) -> bool:
    """True when the log has an `incident.declared` line (such logs are never pruned)."""
    try:
        with path.open("rb") as handle:
            if path.stat().st_size == 0:
                return False
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return data.find(_DECLARED) != -1
    except OSError:
        return True  # unreadable: keep it, somebody should look at it


def prune_watch_logs(log_dir: Path, keep_hours: float, now: datetime) -> list[Path]:
    """Delete watch logs last written more than `keep_hours` ago that hold no incident.

    Returns the removed paths. Incident logs, torn fragments and index files are left alone
    (an index is rebuilt on demand, so an orphan is removed with its log).
    """
    removed: list[Path] = []
    if not log_dir.is_dir():
        return removed
    cutoff = now.timestamp() - keep_hours * 3600.0
    for path in sorted(log_dir.glob(WATCH_GLOB)):
        try:
            if path.stat().st_mtime >= cutoff or holds_incident(path):
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
        path.with_name(path.name + ".idx").unlink(missing_ok=True)
    return removed
