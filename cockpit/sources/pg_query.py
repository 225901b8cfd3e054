"""The one pg_stat_activity query behind the PostgreSQL pane, and how its row is normalised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cockpit.sources import _values as v

CONNECTIONS_SQL = """
WITH b AS (
    SELECT state, application_name, query_start, state_change
    FROM pg_stat_activity
    WHERE backend_type = 'client backend'
)
SELECT
    current_setting('max_connections')::int AS max_connections,
    (SELECT count(*) FROM b) AS total,
    (SELECT coalesce(json_object_agg(s, n), '{}')
       FROM (SELECT coalesce(state, '(unknown)') AS s, count(*) AS n
               FROM b GROUP BY 1) AS per_state) AS by_state,
    (SELECT coalesce(json_object_agg(a, n), '{}')
       FROM (SELECT coalesce(nullif(application_name, ''), '(none)') AS a, count(*) AS n
               FROM b GROUP BY 1) AS per_app) AS by_application,
    (SELECT count(*) FROM b
      WHERE state = 'active'
        AND now() - query_start > make_interval(secs => %(long_running_s)s)) AS long_running,
    (SELECT count(*) FROM b
      WHERE state LIKE 'idle in transaction%%'
        AND now() - state_change > make_interval(secs => %(idle_s)s)) AS idle_in_transaction_old,
    (SELECT count(*) FROM b WHERE state IS NULL) AS hidden
"""
"""Client backends only (no autovacuum, walsender, checkpointer): those are what exhaust
max_connections. Without pg_monitor (or pg_read_all_stats) other roles' sessions show a NULL
state; they are counted as "(unknown)" and reported in a warning."""

COLUMNS = (
    "max_connections",
    "total",
    "by_state",
    "by_application",
    "long_running",
    "idle_in_transaction_old",
    "hidden",
)

MAX_APPLICATIONS = 50
"""Applications listed by name; the rest are summed under "(other)" to keep events small."""


def normalise_row(row: Mapping[str, Any], notes: v.Notes) -> dict[str, Any]:
    """Turn the query's row into a PostgresConnectionsObserved item (names sanitised)."""
    hidden = int(row["hidden"] or 0)
    if hidden:
        notes.add(f"{hidden} session(s) hidden from this role: grant it pg_monitor")
    return {
        "max_connections": int(row["max_connections"]),
        "total": int(row["total"]),
        "by_state": _counts(row["by_state"]),
        "by_application": _top(_counts(row["by_application"]), MAX_APPLICATIONS),
        "long_running": int(row["long_running"]),
        "idle_in_transaction_old": int(row["idle_in_transaction_old"]),
    }


def _counts(raw: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    if isinstance(raw, Mapping):
        for name, n in raw.items():
            # Two names can become equal once control characters are stripped: add them up.
            key = v.label(name) or "(none)"
            counts[key] = counts.get(key, 0) + int(n)
    return counts


def _top(counts: dict[str, int], limit: int) -> dict[str, int]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = dict(ranked[:limit])
    rest = sum(n for _, n in ranked[limit:])
    if rest:
        kept["(other)"] = kept.get("(other)", 0) + rest
    return dict(sorted(kept.items()))
