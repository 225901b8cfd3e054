"""The operator's keys: notes, declare and edit, acknowledge, resolve, the command screen,
runbooks, silences, the timeline, the post-mortem export and a poll now."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.domain.views import AlertPolicy, suggested_severity
from cockpit.permissions import Capability
from cockpit.sanitize import clean
from cockpit.screens.act import ActionsApp, perform
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.panes.alerts import AlertSilenceRequested

if TYPE_CHECKING:
    from cockpit.actions.core import Actions
    from cockpit.actions.notes import NoteDraft
    from cockpit.app import AppOptions
    from cockpit.command.mirror import NoteMirror
    from cockpit.runbook.model import RunbookSet
    from cockpit.screens.incident import IncidentForm
    from cockpit.session import Session


class OperatorKeys(ActionsApp):
    """What the operator's keys do: each asks `actions` (the one home of permissions and
    effects) and shows the outcome; dialogs and screens load on first use."""

    session: Session
    options: AppOptions
    policy: AlertPolicy
    _actions: Actions | None = None
    _runbooks: RunbookSet | None = None

    def advance(self) -> None:
        """Announce a new state to the screens (the app's own)."""
        raise NotImplementedError

    @property
    def actions(self) -> Actions:
        """What keys do to the incident (built on first use: not needed for the first frame)."""
        if self._actions is None:
            from cockpit.actions.core import Actions

            self._actions = Actions.for_session(
                self.session, self.options.permissions, self.options.author, self.options.command
            )
        return self._actions

    @property
    def note_mirror(self) -> NoteMirror:
        """The PagerDuty incident every note is copied to (linked on the command screen)."""
        return self.actions.mirror

    def action_note(self) -> None:
        """Open the note dialog; the note is in the log before the dialog closes."""
        refused = self.actions.refusal(Capability.RECORD)
        if refused is not None:
            self.notify(f"Notes: {refused}.", markup=False)
            return
        from cockpit.screens.dialogs import NoteDialog

        self.push_screen(NoteDialog(draft_sink=self._save_note, author=self.options.author))

    def _save_note(self, draft: NoteDraft) -> str | None:
        result = self.actions.add_note(draft)
        refused = perform(self, result)
        if refused is None:
            self.advance()
        return refused

    def action_incident(self) -> None:
        """Declare the incident, or edit it (title, severity, services, tenants, security)."""
        refused = self.actions.refusal(Capability.COMMAND)
        if refused is not None:
            self.notify(f"Incident: {refused}.", markup=False)
            return
        from cockpit.command.declare import current_form, first_firing

        state = self.session.state
        detected = first_firing(state)
        from cockpit.screens.incident import IncidentDialog

        dialog = IncidentDialog(
            current_form(state),
            suggested=suggested_severity(state, self.policy),
            detected=f"{detected:%H:%M:%S} UTC" if detected else None,
            scheme=self.options.command.policy.scheme,
        )
        self.push_screen(dialog, self._save_incident)

    def _save_incident(self, form: IncidentForm | None) -> None:
        if form is not None:
            self.act(self.actions.declare_or_update(form))

    def action_acknowledge(self) -> None:
        """Acknowledge the open incident (and its PagerDuty incident when linked)."""
        self.act(self.actions.acknowledge())

    def action_resolve(self) -> None:
        """Resolve the open incident, after a confirmation."""
        refused = self.actions.command_refusal()
        if refused is not None:
            self.notify(f"Not done: {refused}", severity="warning", markup=False)
            return
        question = "Resolve the incident? Its clocks stop; the post-mortem comes next."
        from cockpit.screens.dialogs import ConfirmDialog

        self.push_screen(ConfirmDialog(question, yes="Resolve"), self._resolve_if)

    def _resolve_if(self, answer: bool | None) -> None:
        if answer:
            self.act(self.actions.resolve())

    def action_command(self) -> None:
        """The incident command screen (read-only outside an incident or in replay)."""
        from cockpit.screens.command import CommandScreen

        self.push_screen(CommandScreen(self.session, self.options.command, self.actions))

    def action_runbooks(self) -> None:
        """The list of runbooks (shipped and configured)."""
        from cockpit.screens.runbooks import RunbookListScreen

        self.push_screen(RunbookListScreen(self.runbook_set()))

    def runbook_set(self) -> RunbookSet:
        """Every runbook found, loaded once on first use."""
        if self._runbooks is None:
            from cockpit.runbook.validate import default_runbook_dirs, load_runbooks

            extra = tuple(Path(p) for p in self.options.runbook_dirs)
            self._runbooks = load_runbooks((*default_runbook_dirs(), *extra))
        return self._runbooks

    def on_dashboard_screen_alert_opened(self, message: DashboardScreen.AlertOpened) -> None:
        """Enter on an alert: its runbook, with the alert's labels."""
        from cockpit.screens.runbook_screen import runbook_screen_for

        runbook = self.runbook_set().get(message.runbook) if message.runbook else None
        if runbook is None:
            self.notify(f"No runbook is mapped to {clean(message.name, single_line=True)}.")
            return
        self.push_screen(runbook_screen_for(self, runbook, dict(message.labels)))

    def on_alert_silence_requested(self, message: AlertSilenceRequested) -> None:
        """`s` on an alert: the silence dialog (matchers from its labels, comment required)."""
        from cockpit.screens.silences import SilenceDialog

        self._silence_api()
        refused = self.actions.refusal(Capability.EXTERNAL)
        if refused is not None:
            self.notify(f"Not done: {refused}", severity="warning", markup=False)
            return
        sink = lambda draft: self.act(self.actions.silence(draft))  # noqa: E731
        self.push_screen(SilenceDialog(message.name, message.labels, self.options.author, sink))

    def action_silences(self) -> None:
        """The silences Alertmanager holds; one can be expired there."""
        from cockpit.screens.silences import SilencesScreen

        self._silence_api()
        self.push_screen(SilencesScreen())

    def _silence_api(self) -> None:
        """Point the actions at the Alertmanager of the step targets (the demo's starts late)."""
        if self.actions.silence_api is None:
            targets = self.options.targets()
            if targets is not None and targets.alertmanager_url:
                from cockpit.actions.silences import SilenceApi

                self.actions.silence_api = SilenceApi(targets.alertmanager_url)

    def action_timeline(self) -> None:
        """Human events and observed changes; Enter jumps to the replay at that moment."""
        from cockpit.screens.timeline import open_timeline

        open_timeline(self, self.session, self.options.author, self.render_state, self.actions)

    def action_export(self) -> None:
        """Write the post-mortem (Markdown) of this log."""
        from cockpit.screens.export import ExportDialog

        self.push_screen(ExportDialog(self.session.log_path), self._exported)

    def _exported(self, written: Path | None) -> None:
        """Attach the written post-mortem to the incident's GitHub issue, when one is kept."""
        outbox = getattr(self.session, "outbox", None)
        if written is None or outbox is None or not outbox.book.targets.github:
            return
        try:
            markdown = written.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            self.notify(clean(f"Not attached to the ticket: {err}"), markup=False)
            return
        self.act(self.actions.attach_postmortem(markdown, written.stem))

    def action_refresh_sources(self) -> None:
        """Poll every source now."""
        refresh = getattr(self.session, "refresh_now", None)
        if refresh is not None:
            refresh()
