"""`Actions`: every operator action of a session, in one object built once per session.

Each method checks the session's `Permissions`, appends the action's events (fsynced before
it returns) and returns an `Outcome` (with the follow-up calls the UI runs in a worker) or
a `Refused` with the reason. Screens call these; they never build events themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from cockpit.actions import approvals, incident, notes, paging, silences, status
from cockpit.actions.approvals import ApprovalBook
from cockpit.actions.context import ActionContext
from cockpit.actions.notes import NoteDraft
from cockpit.actions.outcome import Done, Followup, Outcome, Refused, Result
from cockpit.actions.paging import PagePlan
from cockpit.command.mirror import NoteMirror
from cockpit.command.options import CommandOptions
from cockpit.command.pagerduty import PagerDutyCommand
from cockpit.domain.state import IncidentState
from cockpit.log.events import Event, Payload
from cockpit.permissions import Capability, Permissions
from cockpit.sanitize import clean

if TYPE_CHECKING:
    from cockpit.command.declare import IncidentForm
    from cockpit.session import Session

Append = Callable[[Payload], Event]


class Actions:
    """The operator actions of one session (see the module docstring)."""

    def __init__(self, *, permissions: Permissions, author: str, options: CommandOptions,
                 state: Callable[[], IncidentState], now: Callable[[], datetime],
                 append: Append, log_path: str = "") -> None:  # fmt: skip
        pd = PagerDutyCommand(options.pagerduty, actor=author) if options.pagerduty else None
        self.ctx = ActionContext(permissions, author, options, state, now, log_path,
                                 NoteMirror(), pd)  # fmt: skip
        self._append = append
        self.silence_api: silences.SilenceApi | None = None
        """Alertmanager's silences; set by the wiring when an Alertmanager is known."""

    @classmethod
    def for_session(cls, session: Session, permissions: Permissions, author: str,
                    options: CommandOptions) -> Actions:  # fmt: skip
        """The actions of `session` (live, demo or replay)."""
        return cls(permissions=permissions, author=author, options=options,
                   state=lambda: session.state, now=session.now, append=session.append,
                   log_path=session.log_path)  # fmt: skip

    @property
    def permissions(self) -> Permissions:
        """The session's permission decision."""
        return self.ctx.permissions

    @property
    def mirror(self) -> NoteMirror:
        """The PagerDuty incident notes are copied to."""
        return self.ctx.mirror

    def refusal(self, capability: Capability) -> str | None:
        """Why `capability` is refused in this session (None: allowed)."""
        return self.ctx.permissions.refusal(capability)

    def command_refusal(self) -> str | None:
        """Why incident-command actions are not offered now (None: they are)."""
        found = self.ctx.command()
        return found.reason if isinstance(found, Refused) else None

    # --- plumbing --------------------------------------------------------------------------

    def _apply(self, result: Result) -> tuple[Result, list[Event]]:
        if isinstance(result, Refused):
            return result, []
        written: list[Event] = []
        try:
            for payload in result.events:
                written.append(self._append(payload))
        except (OSError, ValueError, RuntimeError) as err:
            return Refused(f"not saved: {clean(err, single_line=True, max_len=120)}"), written
        return result, written

    def record(self, done: Done) -> str:
        """Append a finished follow-up's events; the line to show (it says if not logged)."""
        if not done.events or self.refusal(Capability.RECORD) is not None:
            return done.message
        try:
            for payload in done.events:
                self._append(payload)
        except (OSError, ValueError, RuntimeError) as err:
            return f"{done.message} (not logged: {clean(err, single_line=True, max_len=60)})"
        return done.message

    # --- the incident ----------------------------------------------------------------------

    def declare_or_update(self, form: IncidentForm) -> Result:
        """Declare the incident, or record the changed fields of the open one."""
        return self._apply(incident.declare_or_update(self.ctx, form))[0]

    def acknowledge(self) -> Result:
        """Acknowledge the open incident, and the linked PagerDuty incident when configured."""
        our_id = self._our_id()
        result, _written = self._apply(incident.acknowledge(self.ctx))
        return self._with(result, paging.ack_linked(self.ctx, our_id))

    def resolve(self) -> Result:
        """Resolve the open incident; record the log's hash on the linked PagerDuty incident."""
        our_id = self._our_id()
        result, written = self._apply(incident.resolve(self.ctx))
        return self._with(result, self._hash_note(our_id, written))

    def assign_role(self, role: str, person: str) -> Result:
        """Give `role` to `person`."""
        return self._apply(incident.assign_role(self.ctx, role, person))[0]

    def tick(self, key: str, done: bool | None = None) -> Result:
        """Tick (or untick, or flip with None) checklist item `key`."""
        return self._apply(incident.tick(self.ctx, key, done))[0]

    def attach_postmortem(self, markdown: str, template: str) -> Result:
        """Attach an exported post-mortem to the incident's ticket (the outbox posts it)."""
        return self._apply(incident.attach_postmortem(self.ctx, markdown, template))[0]

    def decide_approval(self, book: ApprovalBook, text: str) -> Result:
        """`approve REQUEST TARGET` / `reject REQUEST TARGET` (two-person rule; another
        person than the requester)."""
        return self._apply(approvals.decide_command(self.ctx, book, text))[0]

    # --- notes -----------------------------------------------------------------------------

    def add_note(self, draft: NoteDraft) -> Result:
        """A note, its milestone, the copy to PagerDuty (an ack or resolve milestone acts like
        the acknowledge and resolve actions)."""
        our_id = self._our_id()
        result, written = self._apply(notes.add_note(self.ctx, draft))
        if draft.milestone == "acknowledged":
            return self._with(result, paging.ack_linked(self.ctx, our_id))
        if draft.milestone == "resolved":
            return self._with(result, self._hash_note(our_id, written))
        return result

    def correct_note(self, note_id: str, text: str, tags: tuple[str, ...] = ()) -> Result:
        """A correction of `note_id` (a new note that supersedes it)."""
        return self._apply(notes.correct_note(self.ctx, note_id, text, tags))[0]

    # --- paging, PagerDuty, status page ----------------------------------------------------

    def plan_page(self) -> PagePlan | Refused:
        """The level waiting to be paged (ask the operator before `page`)."""
        return paging.plan_page(self.ctx)

    def page(self, plan: PagePlan) -> Result:
        """Page the planned level."""
        return self._apply(paging.page(self.ctx, plan))[0]

    def post_status(self, phase: str, text: str, *, leak_warning: str = "") -> Result:
        """Publish a status update (after the leak check the screen showed)."""
        return self._apply(status.post_status(self.ctx, phase, text, leak_warning=leak_warning))[0]

    def pd_reload(self) -> Followup | Refused:
        """Who is on call and the open PagerDuty incidents."""
        return paging.pd_reload(self.ctx)

    def pd_act(self, action: str, incident_id: str, text: str = "") -> Result:
        """Acknowledge, resolve or add a note to PagerDuty incident `incident_id`."""
        return self._apply(paging.pd_act(self.ctx, action, incident_id, text))[0]

    def link_mirror(self, incident_id: str, title: str = "") -> Refused | None:
        """Copy every note to PagerDuty incident `incident_id` from now on."""
        pd = self.ctx.external()
        if isinstance(pd, Refused):
            return pd
        self.ctx.mirror.link(incident_id, title)
        return None

    def unlink_mirror(self) -> None:
        """Notes stay in our log only."""
        self.ctx.mirror.unlink()

    # --- Alertmanager silences --------------------------------------------------------------

    def silence(self, draft: silences.SilenceDraft) -> Result:
        """Create a silence (a follow-up records `silence.created` when Alertmanager took it)."""
        return self._apply(silences.create(self.ctx, self.silence_api, draft))[0]

    def list_silences(self) -> Followup | Refused:
        """The silences Alertmanager holds (the follow-up's value is a list of `Silence`)."""
        return silences.listing(self.ctx, self.silence_api)

    def expire_silence(self, silence: silences.Silence) -> Result:
        """Expire a silence now (a follow-up records `silence.expired`)."""
        return self._apply(silences.expire(self.ctx, self.silence_api, silence))[0]

    # --- helpers ---------------------------------------------------------------------------

    def _our_id(self) -> str:
        found = self.ctx.state().incident
        return found.incident_id if found is not None else ""

    def _hash_note(self, our_id: str, written: list[Event]) -> Followup | None:
        if not written:
            return None
        last = written[-1]
        return paging.hash_note(self.ctx, our_id, last.hash, last.seq)

    @staticmethod
    def _with(result: Result, followup: Followup | None) -> Result:
        if isinstance(result, Refused) or followup is None:
            return result
        return result.then(followup)


__all__ = ["Actions", "Done", "Followup", "NoteDraft", "Outcome", "PagePlan", "Refused"]
