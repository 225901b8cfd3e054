"""Notes: add one (optionally pinned as a milestone), correct one; each is copied to the
linked PagerDuty incident, wherever it was written (note key, runbook screen, timeline)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cockpit.actions.context import ActionContext
from cockpit.actions.incident import milestone_refusal
from cockpit.actions.outcome import Done, Followup, Outcome, Refused, Result
from cockpit.clock import rfc3339
from cockpit.command.mirror import note_content
from cockpit.log.events import MilestoneSet, NoteAdded, Payload
from cockpit.permissions import Capability
from cockpit.sanitize import clean

MILESTONES = ("detected", "acknowledged", "identified", "mitigated", "resolved")
"""Lifecycle milestones a note can be pinned as (the export measures MTTA/MTTR from them)."""


@dataclass(frozen=True, slots=True)
class NoteDraft:
    """What the scribe typed: the note, its tags, a milestone to pin, the note it corrects."""

    text: str
    tags: tuple[str, ...] = ()
    milestone: str | None = None
    supersedes: str | None = None


def add_note(ctx: ActionContext, draft: NoteDraft) -> Result:
    """The note (and its milestone), then a copy to PagerDuty when an incident is linked."""
    refused = ctx.refusal(Capability.RECORD)
    if refused is not None:
        return refused
    text = draft.text.strip()
    if not text:
        return Refused("a note needs some text")
    if draft.supersedes is not None and draft.supersedes not in ctx.state().notes:
        return Refused(f"there is no note {draft.supersedes!r} to correct")
    events: list[Payload] = []
    note_id = uuid.uuid4().hex[:12]
    events.append(NoteAdded(note_id, text, ctx.author, draft.tags, draft.supersedes))
    if draft.milestone is not None:
        if draft.milestone not in MILESTONES:
            return Refused(f"unknown milestone {draft.milestone!r}: use {', '.join(MILESTONES)}")
        refused = milestone_refusal(ctx, draft.milestone)
        if refused is not None:
            return Refused(f"milestone {draft.milestone} not set: {refused.reason}")
        events.append(MilestoneSet(draft.milestone, rfc3339(ctx.now()), ctx.author, note_id))
    what = "Correction saved." if draft.supersedes else "Note saved."
    mirror = mirror_note(ctx, text)
    return Outcome(tuple(events), what, (mirror,) if mirror is not None else ())


def correct_note(ctx: ActionContext, note_id: str, text: str, tags: tuple[str, ...] = ()) -> Result:
    """A new note superseding `note_id` (the log is append-only: nothing is edited)."""
    return add_note(ctx, NoteDraft(text, tags, None, note_id))


def mirror_note(ctx: ActionContext, text: str) -> Followup | None:
    """The copy of a note to the linked PagerDuty incident, or None when nothing is linked
    or the session may not act on PagerDuty (the note stays in our log either way)."""
    target = ctx.mirror.target
    pd = ctx.external()
    if target is None or isinstance(pd, Refused):
        return None
    content = note_content(text, ctx.author)

    def run() -> Done:
        outcome = pd.note(target, content)
        line = clean(outcome.message, single_line=True, max_len=120)
        message = f"Note copied to PagerDuty incident {target}." if outcome.ok else (
            f"Note not copied to PagerDuty: {line}")  # fmt: skip
        return Done(outcome.ok, message, (outcome.event,))

    return Followup(f"copying the note to PagerDuty incident {target}", run)
