"""`cockpit export DRILL_LOG`: a drill log as a Markdown debrief (times, verdicts, what the
trainee did), instead of a post-mortem: a drill is an exercise, not an incident."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cockpit.domain.drill import (
    OBSERVED,
    DebriefRow,
    clock_text,
    debrief_rows,
    marks,
    right_runbook,
    rows_from_data,
    verdict,
)
from cockpit.export.redact import Redactor
from cockpit.export.render import md_inline
from cockpit.log.events import Event
from cockpit.log.reader import LogReader, ReadError
from cockpit.log.verify import verify

_OWN = frozenset({"log", "drill"})
"""Event kinds of the log and the drill themselves (not something the trainee did)."""


@dataclass(frozen=True, slots=True)
class DrillDocument:
    """The debrief's Markdown and the warning when the drill log did not verify."""

    markdown: str
    warning: str | None


def is_drill_log(path: str | Path) -> bool:
    """True when the log's header says `mode: drill` (False for anything unreadable)."""
    try:
        first = next(iter(LogReader(path)), None)
    except (OSError, ReadError):
        return False
    return first is not None and first.event.data.get("mode") == "drill"


def _what(event: Event) -> str:
    data = event.data
    for key in ("title", "text", "milestone", "phase", "summary", "step", "runbook", "role"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return f"{event.type}: {value}"
    return event.type


def drill_markdown(
    path: str | Path, key: bytes | None = None, redactor: Redactor | None = None
) -> DrillDocument:
    """The debrief of the drill log at `path` (ReadError/OSError when it cannot be read);
    `redactor` masks secrets always, e-mails, phones and tenants with `--redact`."""
    report = verify(path, key)
    warning = None if report.ok else f"the drill log failed verification: {report.summary}"
    events = [record.event for record in LogReader(path)]
    started = next((e.data for e in events if e.type == "drill.started"), {})
    debriefs = [e for e in events if e.type == "drill.debrief"]
    rows: Sequence[DebriefRow]
    if debriefs:
        data = debriefs[-1].data
        rows = rows_from_data(data.get("rows") or ())
        runbook, reason = str(data.get("right_runbook", "")), str(data.get("reason", ""))
    else:  # stopped before its debrief: the trainee's side only
        runbook = right_runbook(events) or ""
        trainee = marks(events, runbook or None)
        rows = debrief_rows(marks((), None), trainee)
        reason = "none recorded (the drill stopped before its debrief)"
    start = marks(events, None).first_alert
    lines = [
        f"# Drill debrief: {md_inline(str(started.get('source', '?')))}",
        "",
        f"- Trainee: {md_inline(str(started.get('trainee', '?')))}",
        f"- Source log: {md_inline(str(started.get('source', '?')))}, sha256 "
        f"`{md_inline(str(started.get('source_sha256', '?')))}`",
        f"- Speed: {float(started.get('speed') or 1.0):g}x; debrief: {md_inline(reason)}",
        f"- Right runbook: {md_inline(runbook) if runbook else 'none found'}",
        "",
        "## Times after the first alert",
        "",
        "| | original responders | trainee | verdict |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {row.what} | {clock_text(row.original_s)} | {clock_text(row.trainee_s)} "
        f"| {verdict(row)} |"
        for row in rows
    ]
    lines += ["", "## What the trainee did", ""]
    done = [e for e in events if e.type not in OBSERVED and e.type.split(".")[0] not in _OWN]
    for event in done:
        at = clock_text((event.ts - start).total_seconds()) if start else "—"
        lines.append(f"- {at} {md_inline(_what(event))}")
    if not done:
        lines.append("- nothing")
    if warning:
        lines = [f"> **Warning:** {md_inline(warning)}", "", *lines]
    text = "\n".join(lines) + "\n"
    return DrillDocument((redactor or Redactor())(text), warning)
