"""Pure renderers for the incident command screen: clocks, ladder, reminders, checklist rows."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.command.checklist import Row
from cockpit.command.clocks import response_clock, security_deadlines
from cockpit.command.ladder import PROGRESS, ladder_status
from cockpit.command.policy import CommandPolicy
from cockpit.command.reminders import reminders
from cockpit.command.schemes import alerted_text, scheme_of
from cockpit.domain.sla import compact_duration
from cockpit.domain.state import IncidentState
from cockpit.sanitize import clean


def _s(value: object, width: int = 40) -> str:
    return clean(value, single_line=True, max_len=width)


def clocks_text(state: IncidentState, now: datetime, policy: CommandPolicy) -> Text:
    """Incident line, response SLA, ladder, security deadlines and reminders."""
    text = Text()
    incident = state.incident
    if incident is None:
        return Text("No incident declared: press i to declare one.", "dim")
    text.append(f"{_s(incident.severity, 8)} ", "bold red")
    text.append(f"{_s(incident.title, 50)}  {_s(incident.channel, 40)}\n")
    level = scheme_of(incident.severity).level(incident.severity)
    if level is not None:
        text.append(f"Alert at once ({level.label}): {alerted_text(level)}\n", "bold")
    sla = response_clock(state, now, policy)
    if sla is not None:
        if sla.acknowledged_at is not None:
            state_text = "acknowledged" + (" (late)" if sla.breached else "")
            text.append(f"Response SLA: {state_text}\n", "red" if sla.breached else "green")
        elif sla.remaining_s is None:
            text.append("Response SLA: unknown for this severity\n", "dim")
        elif sla.remaining_s >= 0:
            text.append(f"Response SLA: ack due in {compact_duration(sla.remaining_s)}\n", "yellow")
        else:
            text.append(f"Response SLA: BREACHED {compact_duration(sla.remaining_s)}\n", "bold red")
    ladder = ladder_status(state, now, policy)
    if ladder is not None:
        text.append(f"Escalation: at L{ladder.reached}")
        if ladder.next_level is not None and ladder.next_due is not None:
            who = ", ".join(ladder.targets)
            left = (ladder.next_due - now).total_seconds()
            if ladder.overdue:
                text.append(
                    f"  page L{ladder.next_level} now ({who}): {ladder.reason}  ctrl+g pages",
                    "bold red",
                )
            else:
                text.append(f"  L{ladder.next_level} ({who}) in {compact_duration(left)}", "dim")
                if ladder.next_level == 2:
                    text.append(f"\nProgress restarts the L2 clock: {PROGRESS}", "dim")
        text.append("\n")
    for deadline in security_deadlines(state, now, policy):
        if deadline.done:
            text.append(f"Notify {deadline.name}: done\n", "green")
        else:
            style = "bold red" if deadline.remaining_s < 0 else "yellow"
            due_in = compact_duration(deadline.remaining_s)
            text.append(f"Notify {deadline.name}: due in {due_in}\n", style)
    for reminder in reminders(state, now, policy):
        text.append(
            f"Reminder: {reminder.text} ({compact_duration(reminder.waiting_s)})\n", "magenta"
        )
    text.rstrip()
    return text


def row_text(row: Row) -> Text:
    """`[x] label  - who HH:MM` for one checklist item."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("[x] " if row.done else "[ ] ", "green" if row.done else "")
    text.append(f"{row.item.group}: ", "dim")
    text.append(row.item.label)
    if row.at is not None:
        verb = "" if row.done else "unticked "
        text.append(f"  - {verb}{_s(row.by or '?', 24)} {row.at:%H:%M}", "dim")
    return text
