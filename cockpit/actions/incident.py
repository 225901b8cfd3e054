"""Incident actions: declare or update, acknowledge, assign a role, tick an item, resolve."""

from __future__ import annotations

from cockpit.actions.context import NO_INCIDENT, ActionContext
from cockpit.actions.outcome import Outcome, Refused, Result
from cockpit.clock import rfc3339
from cockpit.command.checklist import known_item
from cockpit.command.declare import IncidentForm, incident_events
from cockpit.domain.records import IncidentInfo
from cockpit.log.events import ChecklistTicked, MilestoneSet, RoleAssigned
from cockpit.log.events_outbox import PostmortemExported
from cockpit.permissions import Capability


def declare_or_update(ctx: ActionContext, form: IncidentForm) -> Result:
    """Declare an incident when none is open, else record what changed in the form."""
    refused = ctx.refusal(Capability.COMMAND)
    if refused is not None:
        return refused
    state = ctx.state()
    scheme = ctx.options.policy.scheme
    try:
        events = incident_events(form, state, ctx.now(), actor=ctx.author, scheme=scheme)
    except ValueError as err:
        return Refused(str(err))
    if not events:
        return Outcome((), "Nothing changed.")
    declaring = state.incident is None or state.incident.state != "open"
    return Outcome(tuple(events), "Incident declared." if declaring else "Incident updated.")


def milestone_refusal(ctx: ActionContext, name: str) -> Refused | None:
    """Why the milestone `name` may not be set now (None: it may). Acknowledged and resolved
    need an open incident; the others may be pinned afterwards too (a late finding)."""
    if name not in ("acknowledged", "resolved"):
        return ctx.refusal(Capability.COMMAND)
    incident = ctx.command()
    if isinstance(incident, Refused):
        return incident
    if name == "acknowledged" and "acknowledged" in ctx.state().milestones:
        at = ctx.state().milestones["acknowledged"]
        return Refused(f"incident {incident.incident_id} was already acknowledged by "
                       f"{at.actor or 'someone'} at {at.at:%H:%M:%S} UTC")  # fmt: skip
    return None


def acknowledge(ctx: ActionContext) -> Result:
    """The `acknowledged` milestone: stops the response-SLA clock and counts in MTTA."""
    return _milestone(ctx, "acknowledged")


def resolve(ctx: ActionContext) -> Result:
    """The `resolved` milestone: the incident is over (the post-mortem comes next)."""
    return _milestone(ctx, "resolved")


def _milestone(ctx: ActionContext, name: str) -> Result:
    refused = milestone_refusal(ctx, name)
    if refused is not None:
        return refused
    incident = ctx.open_incident()
    assert isinstance(incident, IncidentInfo)
    event = MilestoneSet(name, rfc3339(ctx.now()), ctx.author)
    return Outcome((event,), f"Incident {incident.incident_id} {name}.")


def assign_role(ctx: ActionContext, role: str, person: str) -> Result:
    """Hand `role` to `person` (a handover is one more assignment)."""
    incident = ctx.command()
    if isinstance(incident, Refused):
        return incident
    if role not in ctx.options.policy.roles:
        return Refused(f"unknown role {role!r}: use one of {', '.join(ctx.options.policy.roles)}")
    person = " ".join(person.split())
    if not person:
        return Refused(f"type a name to assign {role}")
    return Outcome((RoleAssigned(role, person, ctx.author),), f"{role}: {person}.")


def tick(ctx: ActionContext, key: str, done: bool | None = None) -> Result:
    """Tick checklist item `key` (or untick it; None flips its current state)."""
    incident = ctx.command()
    if isinstance(incident, Refused):
        return incident
    state = ctx.state()
    try:
        item = known_item(key, state)
    except ValueError as err:
        return Refused(str(err))
    if done is None:
        current = state.checklist.get(key)
        done = not (current is not None and current.done)
    verb = "ticked" if done else "unticked"
    return Outcome((ChecklistTicked(key, done, ctx.author),), f"{item.label}: {verb}.")


MAX_POSTMORTEM = 60_000
"""Characters of a post-mortem kept for the ticket (a GitHub comment holds 65,536)."""


def attach_postmortem(ctx: ActionContext, markdown: str, template: str) -> Result:
    """Queue an exported post-mortem for the incident's ticket (open or resolved incident)."""
    refused = ctx.refusal(Capability.EXTERNAL)
    if refused is not None:
        return refused
    incident = ctx.state().incident
    if incident is None:
        return Refused(NO_INCIDENT)
    if len(markdown) > MAX_POSTMORTEM:
        markdown = markdown[:MAX_POSTMORTEM] + "\n\n... (cut: the full text is in the export file)"
    event = PostmortemExported(incident.incident_id, template, markdown, ctx.author)
    return Outcome((event,), f"Post-mortem queued for the ticket of {incident.incident_id}.")
