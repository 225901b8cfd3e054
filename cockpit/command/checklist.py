"""The incident checklist: the first seed's intervention steps, the second seed's four
phases, and the security procedure when the incident carries the security flag."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cockpit.command.clocks import CLIENT_ITEM, REGULATOR_ITEM
from cockpit.domain.state import IncidentState


@dataclass(frozen=True, slots=True)
class Item:
    """One checklist item; `key` is what ChecklistTicked.item records."""

    key: str
    group: str
    label: str


@dataclass(frozen=True, slots=True)
class Row:
    """An item with its latest tick: who and when (None when never touched)."""

    item: Item
    done: bool
    by: str | None
    at: datetime | None


INTERVENTION = (
    Item("open-channel", "intervention", "Open the dedicated incident channel"),
    Item("assign-ic", "intervention", "Name an Incident Commander"),
    Item("assign-comms", "intervention", "Name a Communications Lead"),
    Item("assign-scribe", "intervention", "Name a Scribe"),
    Item("timestamp-actions", "intervention", "Keep every action time-stamped in the channel"),
)
PHASES = (
    Item("detect.ack", "detection", "Acknowledge the alert where the team sees it"),
    Item("detect.severity", "detection", "Assess the severity"),
    Item("detect.ticket", "detection", "Open the incident ticket"),
    Item("triage.impact", "triage", "Size the impact: users, functions, security or data risk"),
    Item("triage.escalate", "triage", "Escalate to the people the severity calls for"),
    Item("triage.communicate", "triage", "Update the status page for high severities"),
    Item("resolve.diagnose", "resolution", "Diagnose from logs and metrics"),
    Item("resolve.mitigate", "resolution", "Mitigate now: roll back, restart or degrade"),
    Item("resolve.fix", "resolution", "Ship the lasting fix (tested in staging first)"),
    Item("post.meeting", "post-incident", "Hold the post-mortem (required for the top two)"),
    Item("post.document", "post-incident", "Write the timeline, root cause and action items"),
    Item("post.runbooks", "post-incident", "Update the runbooks"),
)
SECURITY = (
    Item("security.isolate", "security", "Isolate: block traffic where needed"),
    Item("security.evidence", "security", "Preserve evidence: keep the logs"),
    Item("security.snapshot", "security", "Take snapshots of affected systems"),
    Item(CLIENT_ITEM, "security", "Tell affected clients (within 24 h of detection)"),
    Item(REGULATOR_ITEM, "security", "Notify the regulator, GDPR art. 33 (within 72 h)"),
)


def items_for(state: IncidentState) -> tuple[Item, ...]:
    """Every item that applies to the declared incident, then the runbook `check` steps
    ticked so far (keys `RB-xxx:step`, written by the runbook screen)."""
    security = state.incident is not None and state.incident.security
    return INTERVENTION + PHASES + (SECURITY if security else ()) + runbook_items(state)


def runbook_items(state: IncidentState) -> tuple[Item, ...]:
    """Runbook `check` steps that appear in the log, in key order."""
    keys = sorted(k for k in state.checklist if _RUNBOOK_KEY.fullmatch(k))
    return tuple(Item(k, "runbook", k.replace(":", ": ", 1)) for k in keys)


_RUNBOOK_KEY = re.compile(r"RB-\d{3}:[A-Za-z0-9_.-]+")


def known_item(key: str, state: IncidentState) -> Item:
    """The item called `key`; ValueError naming the problem otherwise."""
    for item in items_for(state):
        if item.key == key:
            return item
    raise ValueError(f"no checklist item {key!r} for this incident")


def checklist_rows(state: IncidentState) -> list[Row]:
    """The checklist as rows, in the order it is worked through."""
    rows = []
    for item in items_for(state):
        tick = state.checklist.get(item.key)
        if tick is None:
            rows.append(Row(item, False, None, None))
        else:
            rows.append(Row(item, tick.done, tick.actor, tick.ts))
    return rows
