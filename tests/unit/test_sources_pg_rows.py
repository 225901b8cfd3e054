"""The pg_stat_activity row becomes a PostgresConnectionsObserved item, names sanitised."""

from __future__ import annotations

import dataclasses

from cockpit.log.events import PostgresConnectionsObserved
from cockpit.sources._values import Notes
from cockpit.sources.pg_query import COLUMNS, MAX_APPLICATIONS, normalise_row


def row(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "max_connections": 100,
        "total": 7,
        "by_state": {"active": 2, "idle": 5},
        "by_application": {"api": 4, "(none)": 3},
        "long_running": 1,
        "idle_in_transaction_old": 0,
        "hidden": 0,
    }
    base.update(overrides)
    assert set(base) == set(COLUMNS)
    return base


def test_item_has_exactly_the_event_fields() -> None:
    notes = Notes()
    item = normalise_row(row(), notes)
    names = {f.name for f in dataclasses.fields(PostgresConnectionsObserved)}
    assert set(item) == names - {"source", "duration_ms", "warnings"}
    assert item["by_application"] == {"(none)": 3, "api": 4}
    assert notes.result() == ()


def test_hidden_sessions_are_reported() -> None:
    notes = Notes()
    item = normalise_row(row(hidden=3, by_state={"(unknown)": 3, "active": 4}), notes)
    assert item["by_state"]["(unknown)"] == 3
    assert notes.result() == ("3 session(s) hidden from this role: grant it pg_monitor",)


def test_hostile_application_names_are_cleaned_and_merged() -> None:
    apps = {"\x1b[2Japi": 2, "api": 1, "[/]\u202ex": 1, "": 1}
    item = normalise_row(row(by_application=apps), Notes())
    assert item["by_application"] == {"(none)": 1, "[/]x": 1, "api": 3}


def test_many_applications_are_folded_into_other() -> None:
    apps = {f"worker-{n:03d}": n + 1 for n in range(MAX_APPLICATIONS + 20)}
    item = normalise_row(row(by_application=apps), Notes())
    assert len(item["by_application"]) == MAX_APPLICATIONS + 1
    assert item["by_application"]["(other)"] == sum(range(1, 21))
    assert "worker-069" in item["by_application"]  # the biggest are kept by name
