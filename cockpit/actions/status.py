"""Status-page updates: compose, record a leak warning the operator overrode, publish."""

from __future__ import annotations

from cockpit.actions.context import ActionContext
from cockpit.actions.outcome import Done, Followup, Outcome, Refused, Result
from cockpit.command.statuspage import compose, publish
from cockpit.log.events import ExternalActionRecorded, Payload
from cockpit.permissions import Capability


def post_status(ctx: ActionContext, phase: str, text: str, *, leak_warning: str = "") -> Result:
    """Publish an update (webhook, or copy-only without one). `leak_warning` is the warning
    the operator saw and published anyway; it is recorded before the update."""
    incident = ctx.command(Capability.EXTERNAL)
    if isinstance(incident, Refused):
        return incident
    options = ctx.options
    try:
        draft = compose(phase, text, ctx.now(), private=options.statuspage_private)
    except ValueError as err:
        return Refused(str(err))
    events: tuple[Payload, ...] = ()
    if leak_warning:
        events = (ExternalActionRecorded("statuspage", "leak-check", "warned", leak_warning,
                                         ctx.author),)  # fmt: skip
    author, ident = ctx.author, incident.incident_id

    def run() -> Done:
        result = publish(draft, options.webhook_url, actor=author, incident_id=ident,
                         timeout_s=options.statuspage_timeout_s)  # fmt: skip
        return Done(result.ok, result.message, result.events)

    return Outcome(events, "", (Followup(f"publishing the {draft.phase} update", run),))
