"""Log events -> outbox deliveries (pure): what each timeline entry becomes in Slack/GitHub."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cockpit.log import events as ev
from cockpit.log import events_outbox as eo
from cockpit.outbox.delivery import GITHUB, SLACK, Delivery
from cockpit.outbox.text import MAX_GITHUB, bounded, md_safe, slack_safe, stamp
from cockpit.sanitize import clean

COMMENTED_MILESTONES = frozenset({"acknowledged", "identified", "mitigated"})
"""Milestones that also comment on the ticket (resolved closes it)."""


@dataclass(frozen=True, slots=True)
class Targets:
    """Which tools are on, and the labels every ticket gets besides `incident` and severity."""

    slack: bool = False
    github: bool = False
    labels: tuple[str, ...] = ()
    announce: bool = False
    """True when an incidents channel is configured (acknowledgements are posted there)."""


@dataclass(slots=True)
class Context:
    """What the mapping needs besides the event: the incident it belongs to, run labels."""

    incident_id: str = ""
    title: str = ""
    severity: str = ""
    channel: str = ""
    runs: dict[str, str] = field(default_factory=dict)
    """run_id -> `runbook/step`, learnt from step and mitigation requests."""


def _line(event: ev.Event, text: str) -> str:
    return f"[{stamp(event.ts)}] {text}"


def describe(payload: ev.Payload, ctx: Context) -> str | None:
    """The timeline entry as one plain sentence (external parts cleaned), or None."""
    p = payload
    if isinstance(p, ev.IncidentDeclared):
        return (f"{p.incident_id} declared by {p.actor or '?'}: {p.title} "
                f"({p.severity}{', security' if p.security else ''})")  # fmt: skip
    if isinstance(p, ev.IncidentUpdated):
        changes = ", ".join(f"{k} = {v}" for k, v in sorted(p.changes.items()))
        return f"updated by {p.actor or '?'}: {changes}" + (f" ({p.reason})" if p.reason else "")
    if isinstance(p, ev.NoteAdded):
        fix = f" (corrects {p.supersedes})" if p.supersedes else ""
        return f"note by {p.author}{fix}: {p.text}"
    if isinstance(p, ev.RoleAssigned):
        return f"{p.role}: {p.person} (assigned by {p.actor or '?'})"
    if isinstance(p, ev.MilestoneSet):
        return f"milestone {p.milestone} (by {p.actor or '?'})"
    if isinstance(p, ev.ChecklistTicked):
        return f"checklist {p.item} {'done' if p.done else 'reopened'} (by {p.actor or '?'})"
    if isinstance(p, ev.StepRunCompleted):
        summary = f": {p.summary}" if p.summary else ""
        return f"step {p.runbook}/{p.step} {p.outcome}{summary} (by {p.actor or '?'})"
    if isinstance(p, ev.MitigationRequested):
        return f"mitigation {p.runbook}/{p.step} requested by {p.actor or '?'}: {p.what}"
    if isinstance(p, ev.MitigationCompleted):
        name = ctx.runs.get(p.run_id, p.run_id)
        summary = f": {p.summary}" if p.summary else ""
        return f"mitigation {name} {p.outcome}{summary} (by {p.actor or '?'})"
    if isinstance(p, ev.EscalationRaised):
        who = ", ".join(p.targets) or "nobody named"
        paged = " (paged)" if p.paged else ""
        return f"escalated to {p.level}: {who}{paged}" + (f": {p.reason}" if p.reason else "")
    if isinstance(p, ev.StatusUpdatePosted):
        return f"status update ({p.phase}, {p.outcome}): {p.text}"
    return None


def deliveries(event: ev.Event, payload: ev.Payload, ctx: Context, on: Targets) -> list[Delivery]:
    """What `event` becomes for the enabled tools (empty for events nobody mirrors)."""
    if isinstance(payload, eo.PostmortemExported):
        if not on.github:
            return []
        body = bounded(f"Post-mortem ({payload.template})\n\n{payload.markdown}", MAX_GITHUB)
        return [_to(GITHUB, "postmortem", event, ctx, body)]
    sentence = describe(payload, ctx)
    if sentence is None:
        return []
    out: list[Delivery] = []
    if on.slack:
        text = _line(event, slack_safe(sentence))
        if isinstance(payload, ev.IncidentDeclared):
            out.append(_to(SLACK, "channel", event, ctx, text, invite=(payload.actor,)))
        else:
            invite = (payload.person,) if isinstance(payload, ev.RoleAssigned) else ()
            out.append(_to(SLACK, "message", event, ctx, text, invite=invite))
        if isinstance(payload, ev.MilestoneSet) and payload.milestone == "acknowledged":
            note = f"{ctx.incident_id} ({ctx.title}) acknowledged by {payload.actor or '?'}"
            out.append(_to(SLACK, "announce", event, ctx, _line(event, slack_safe(note))))
    if on.github:
        out.extend(_github(event, payload, ctx, on, sentence))
    return out


def _github(
    event: ev.Event, payload: ev.Payload, ctx: Context, on: Targets, sentence: str
) -> list[Delivery]:
    when = f"{event.ts:%Y-%m-%d %H:%M:%S} UTC"
    line = f"{when}: {md_safe(sentence)}"
    if isinstance(payload, ev.IncidentDeclared):
        labels = tuple(dict.fromkeys(("incident", payload.severity, *on.labels)))
        title = f"[{payload.severity}] {clean_title(payload.title)} ({payload.incident_id})"
        body = _declaration(payload, when)
        return [_to(GITHUB, "open", event, ctx, body, title=title, labels=labels)]
    if isinstance(payload, ev.MilestoneSet):
        if payload.milestone == "resolved":  # closing apart: a retry never comments twice
            return [_to(GITHUB, "comment", event, ctx, line), _to(GITHUB, "close", event, ctx, "")]
        if payload.milestone in COMMENTED_MILESTONES:
            return [_to(GITHUB, "comment", event, ctx, line)]
        return []
    if isinstance(payload, ev.StatusUpdatePosted | ev.IncidentUpdated | ev.EscalationRaised):
        return [_to(GITHUB, "comment", event, ctx, line)]
    return []


def clean_title(title: str) -> str:
    """An issue title from outside text: one clean line (titles are not Markdown)."""
    return clean(title, max_len=200, single_line=True)


def _declaration(p: ev.IncidentDeclared, when: str) -> str:
    rows: Mapping[str, str] = {
        "Incident": p.incident_id,
        "Severity": p.severity,
        "Declared": f"{when} by {p.actor or '?'}",
        "Channel": p.channel,
        "Services": ", ".join(p.services) or "-",
        "Tenants": ", ".join(p.tenants) or "-",
    }
    lines = [f"- **{k}**: {md_safe(v)}" for k, v in rows.items()]
    return "\n".join([md_safe(p.title), "", *lines, "", "Opened by the incident cockpit."])


def _to(
    target: str,
    kind: str,
    event: ev.Event,
    ctx: Context,
    text: str,
    *,
    invite: tuple[str, ...] = (),
    title: str = "",
    labels: tuple[str, ...] = (),
) -> Delivery:
    channel = ctx.channel.lstrip("#")
    return Delivery(target, kind, event.seq, event.hash, ctx.incident_id, text, channel,
                    tuple(i for i in invite if i), title, labels)  # fmt: skip
