"""PagerDuty and the escalation ladder: page the next level, act on one PagerDuty incident
(by the id that was on screen), acknowledge the linked incident, record the log's hash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cockpit.actions.context import ActionContext
from cockpit.actions.outcome import Done, Followup, Outcome, Refused, Result
from cockpit.command.ladder import ladder_status
from cockpit.command.mirror import linked_incident
from cockpit.command.pagerduty import PagerDutyCommand, PdOutcome
from cockpit.log.events import EscalationRaised
from cockpit.permissions import Capability
from cockpit.sanitize import clean

PD_ACTIONS = ("acknowledge", "resolve", "note")
"""What the PagerDuty panel does to the incident that was highlighted."""


@dataclass(frozen=True, slots=True)
class PagePlan:
    """The level the ladder offers to page, for the confirmation question."""

    level: int
    targets: tuple[str, ...]
    reason: str
    through_pagerduty: bool

    @property
    def question(self) -> str:
        """The confirmation question."""
        how = "through PagerDuty" if self.through_pagerduty else "(PagerDuty is not configured)"
        return f"Page L{self.level}: {', '.join(self.targets) or 'next level'} {how}?"


def plan_page(ctx: ActionContext) -> PagePlan | Refused:
    """The level waiting to be paged, or why none is offered."""
    incident = ctx.command(Capability.EXTERNAL)
    if isinstance(incident, Refused):
        return incident
    ladder = ladder_status(ctx.state(), ctx.now(), ctx.options.policy)
    if ladder is None or ladder.next_level is None:
        return Refused("no escalation level is waiting to be paged")
    reason = ladder.reason or f"L{ladder.next_level} requested by the commander"
    return PagePlan(ladder.next_level, ladder.targets, reason, ctx.pd is not None)


def page(ctx: ActionContext, plan: PagePlan) -> Result:
    """Page `plan`'s level: through PagerDuty when configured, else recorded to call by hand."""
    incident = ctx.command(Capability.EXTERNAL)
    if isinstance(incident, Refused):
        return incident
    level, targets, reason, author = plan.level, plan.targets, plan.reason, ctx.author
    pd = ctx.pd
    if pd is None:
        raised = EscalationRaised(f"L{level}", targets, reason, author, False)
        return Outcome((raised,), f"L{level} recorded; PagerDuty is not configured: call them.")
    title, ident = incident.title, incident.incident_id

    def run() -> Done:
        # One dedup key per incident: every page adds to the same PagerDuty incident.
        outcome = pd.trigger(f"[L{level}] {title}", "cockpit", dedup_key=ident)
        raised = EscalationRaised(f"L{level}", targets, reason, author, outcome.ok)
        why = clean(outcome.message, single_line=True, max_len=120)
        message = f"L{level} paged." if outcome.ok else f"L{level} not paged: {why}"
        return Done(outcome.ok, message, (raised, outcome.event))

    return Outcome((), "", (Followup(f"paging L{level}", run),))


def pd_reload(ctx: ActionContext) -> Followup | Refused:
    """Who is on call and the open PagerDuty incidents (reading changes nothing)."""
    if ctx.pd is None:
        return Refused("PagerDuty is not configured ([pagerduty] in the config)")
    refused = ctx.refusal(Capability.READ_PLATFORM)
    if refused is not None:
        return refused
    pd = ctx.pd
    return Followup(
        "asking PagerDuty who is on call", lambda: _combined([pd.on_call(), pd.open_incidents()])
    )


def pd_act(ctx: ActionContext, action: str, incident_id: str, text: str = "") -> Result:
    """Acknowledge, resolve or add a note to PagerDuty incident `incident_id`, then list the
    open incidents again. The id is the one on screen when the key was pressed."""
    pd = ctx.external()
    if isinstance(pd, Refused):
        return pd
    if action not in PD_ACTIONS:
        return Refused(f"unknown PagerDuty action {action!r}: use {', '.join(PD_ACTIONS)}")
    if not incident_id:
        return Refused("highlight a PagerDuty incident first")
    if action == "note" and not text.strip():
        return Refused("type the note first")
    calls: dict[str, Callable[[], PdOutcome]] = {
        "acknowledge": lambda: pd.acknowledge(incident_id),
        "resolve": lambda: pd.resolve(incident_id),
        "note": lambda: pd.note(incident_id, text.strip()),
    }
    call = calls[action]
    return Outcome((), "", (Followup(f"{action} {incident_id}", lambda: _combined(
        [call(), pd.open_incidents()])),))  # fmt: skip


def ack_linked(ctx: ActionContext, our_id: str) -> Followup | None:
    """Acknowledge the PagerDuty incident linked to ours (None: nothing to do here)."""
    return _on_linked(ctx, our_id, ("acknowledging", "acknowledged"),
                      lambda pd, i: pd.acknowledge(i))  # fmt: skip


def hash_note(ctx: ActionContext, our_id: str, last_hash: str, seq: int) -> Followup | None:
    """Write the log's latest hash on the linked PagerDuty incident, so that the log can be
    checked later with `cockpit verify LOG --expect HASH`."""
    content = f"incident log {ctx.log_path} last hash {last_hash} (seq {seq})"
    return _on_linked(ctx, our_id, ("recording the log hash on", "log hash recorded"),
                      lambda pd, i: pd.note(i, content))  # fmt: skip


def _on_linked(ctx: ActionContext, our_id: str, what: tuple[str, str],
               call: Callable[[PagerDutyCommand, str], PdOutcome]) -> Followup | None:  # fmt: skip
    pd = ctx.external()
    if isinstance(pd, Refused):
        return None
    target = ctx.mirror.target

    def run() -> Done:
        ident, calls = target, []
        if ident is None:
            listed = pd.open_incidents()
            found = linked_incident(listed.value or [], our_id) if listed.ok else None
            if found is None:
                why = "no open PagerDuty incident carries our incident id" if listed.ok else (
                    clean(listed.message, single_line=True, max_len=80))  # fmt: skip
                return Done(False, f"PagerDuty: nothing done ({why}).", (listed.event,))
            ident, calls = found["id"], [listed]
        calls.append(call(pd, ident))
        return _combined(calls, f"PagerDuty incident {ident}: {what[1]}.")

    return Followup(f"{what[0]} the PagerDuty incident", run)


def _combined(outcomes: list[PdOutcome], success: str = "") -> Done:
    """One Done for several calls: failed first, the listing and on-call as values."""
    events = tuple(o.event for o in outcomes)
    failed = [o for o in outcomes if not o.ok]
    first = outcomes[0]
    if failed:
        line = clean(failed[0].message, single_line=True, max_len=120)
        return Done(False, f"PagerDuty {failed[0].event.action} failed: {line}", events,
                    {o.event.action: o.value for o in outcomes if o.ok})  # fmt: skip
    message = success or f"PagerDuty {first.event.action}: done."
    return Done(True, message, events, {o.event.action: o.value for o in outcomes})
