"""Incident command screen: roles, checklist (who/when), clocks, paging, status updates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from cockpit.actions.outcome import Done, Outcome, Result
from cockpit.command.checklist import Row as ChecklistRow
from cockpit.command.checklist import checklist_rows
from cockpit.command.leaks import describe, find_leaks, known_terms
from cockpit.command.options import CommandOptions
from cockpit.command.statuspage import PHASES, compose, starter
from cockpit.domain.state import IncidentState
from cockpit.log.shared import shared_status
from cockpit.permissions import Capability
from cockpit.sanitize import clean
from cockpit.screens.act import perform
from cockpit.screens.command_outbox import outbox_text
from cockpit.screens.command_pd import PagerDutyPanel
from cockpit.screens.command_view import clocks_text, row_text
from cockpit.screens.footer import KeyFooter
from cockpit.screens.shared_view import shared_text

if TYPE_CHECKING:
    from cockpit.actions.core import Actions
    from cockpit.session import Session


class CommandScreen(Screen[None]):
    """Everything the Incident Commander works from; every change is a log event."""

    DEFAULT_CSS = """
    CommandScreen VerticalScroll { padding: 0 1; }
    CommandScreen #cmd-clocks { height: auto; border: round $error; padding: 0 1; }
    CommandScreen .cmd-head { text-style: bold; margin-top: 1; }
    CommandScreen Horizontal { height: auto; }
    CommandScreen .role-name { width: 22; padding: 1 0 0 0; }
    CommandScreen .role-input { width: 1fr; }
    CommandScreen #cmd-checklist { height: 10; }
    CommandScreen #status-preview { height: auto; color: $text-muted; }
    CommandScreen #status-warning { height: auto; color: $warning; }
    CommandScreen #cmd-message { height: auto; color: $accent; }
    CommandScreen #cmd-outbox { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+g", "page", "Page next level"),
    ]

    def __init__(self, session: Session, options: CommandOptions, actions: Actions) -> None:
        super().__init__()
        self.session = session
        self.options = options
        self.actions = actions
        self._rows: list[ChecklistRow] = []
        self._confirm_leaks = False
        self._last_shared: Text | None = None
        self._clocks: Text | None = None
        self._said = ""
        self.revision = -1
        """The session revision last rendered (the app hands states over; nothing polls)."""

    def compose(self) -> ComposeResult:
        """Clocks, roles, checklist, status composer, a message line."""
        with VerticalScroll():
            yield Static("", id="cmd-clocks")
            yield Static("", id="cmd-message")
            if getattr(self.session, "outbox", None) is not None:  # [slack] or [github] on
                yield Static("", id="cmd-outbox")
            if getattr(self.session, "approvals", None) is not None:  # live sessions only
                yield Label("Shared incident and approvals", classes="cmd-head")
                yield Static("", id="cmd-shared")
                yield Input(placeholder="approve REQUEST TARGET  or  reject REQUEST TARGET",
                            id="approval-input")  # fmt: skip
            yield Label("Roles (type a name, Enter assigns)", classes="cmd-head")
            for index, role in enumerate(self.options.policy.roles):
                with Horizontal():
                    yield Label(role, classes="role-name")
                    yield Input(placeholder="unassigned", id=f"role-{index}", classes="role-input")
            yield Label("Checklist (Enter ticks or unticks)", classes="cmd-head")
            yield OptionList(id="cmd-checklist")
            yield Label("Status update (Enter previews the leak check, then publishes)",
                        classes="cmd-head")  # fmt: skip
            yield Select([(p, p) for p in PHASES], value=PHASES[0], id="status-phase",
                         allow_blank=False)  # fmt: skip
            yield Input(starter(PHASES[0]), id="status-text")
            yield Static("", id="status-preview")
            yield Static("", id="status-warning")
            yield PagerDutyPanel(
                self.session, self.actions, configured=bool(self.options.pagerduty)
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        """Render the state as it is now; then the app hands over each new one."""
        self.refresh_view()
        self._preview()

    def show_state(self, state: IncidentState, now: datetime, revision: int) -> None:
        """The log advanced: clocks, roles, checklist."""
        self.revision = revision
        self._show_all(state, now)

    def show_time(self, now: datetime) -> None:
        """The 1 Hz tick: the SLA and escalation clocks, and who is here (presence ages)."""
        self._show_clocks(self.session.state, now)
        self._show_shared(now)

    # --- rendering --------------------------------------------------------------------------

    def refusal(self) -> str | None:
        """Why incident-command actions are not offered now (None: they are)."""
        return self.actions.command_refusal()

    def status_refusal(self) -> str | None:
        """Why status updates are not offered now (None: they are)."""
        return self.refusal() or self.actions.refusal(Capability.EXTERNAL)

    def refresh_view(self) -> None:
        """Re-render clocks, roles and checklist from the session's current state (after an
        action of this screen, and on mount)."""
        self.revision = self.session.revision
        self._show_all(self.session.state, self.session.now())

    def _show_clocks(self, state: IncidentState, now: datetime) -> None:
        clocks = clocks_text(state, now, self.options.policy)
        if clocks != self._clocks:  # the text itself: an unchanged clock writes nothing
            self._clocks = clocks
            for box in self.query("#cmd-clocks").results(Static):  # none while torn down
                box.update(clocks)

    def _show_all(self, state: IncidentState, now: datetime) -> None:
        self._show_clocks(state, now)
        self._show_shared(now)
        for line in self.query("#cmd-outbox").results(Static):
            line.update(outbox_text(getattr(self.session, "outbox", None)))
        locked = self.refusal()
        for index, role in enumerate(self.options.policy.roles):
            field = self.query_one(f"#role-{index}", Input)
            field.disabled = locked is not None
            held = state.roles.get(role)
            if held is not None and not field.has_focus and field.value != held.person:
                field.value = clean(held.person, single_line=True, max_len=60)
        self.query_one("#cmd-checklist").disabled = locked is not None
        outside = self.status_refusal()
        for name in ("#status-text", "#status-phase"):
            self.query_one(name).disabled = outside is not None
        rows = checklist_rows(state)
        if rows != self._rows:
            self._rows = list(rows)
            checklist = self.query_one("#cmd-checklist", OptionList)
            highlighted = checklist.highlighted
            checklist.set_options(Option(row_text(r), id=r.item.key) for r in rows)
            checklist.highlighted = highlighted
        if locked is not None:
            self._say(f"Read-only: {locked}.")
        elif outside is not None and not self._said:
            self._say(f"Roles and checklist only; paging and status updates: {outside}.")

    def _show_shared(self, now: datetime) -> None:
        """Who is in the incident, and the approval requests waiting (two-person rule)."""
        book = getattr(self.session, "approvals", None)
        if book is None:
            return
        shared = shared_status(getattr(self.session, "log", None))
        text = shared_text(shared, book, now, self.actions.ctx.author, self.session.state.roles)
        if text != self._last_shared:
            self._last_shared = text
            self.query_one("#cmd-shared", Static).update(text)

    def _decide(self, field: Input) -> None:
        book = getattr(self.session, "approvals", None)
        if book is None:
            self._say("Approvals are decided in a live session only.")
            return
        if self._act(self.actions.decide_approval(book, field.value)):
            field.value = ""

    def _say(self, message: str) -> None:
        self._said = message
        self.query_one("#cmd-message", Static).update(Text(message))

    def _act(self, result: Result) -> bool:
        """Show what the action did, or why not; True when it was done."""
        refused = perform(self.app, result, self._replied)
        if refused is not None:
            self._say(f"Not done: {refused}.")
            return False
        assert isinstance(result, Outcome)
        if result.message:
            self._say(result.message)
        elif result.followups:
            self._say(f"{result.followups[0].what.capitalize()}...")
        self.refresh_view()
        return True

    def _replied(self, _done: Done, line: str) -> None:
        if self.is_attached:
            self._say(line)
            self.refresh_view()

    # --- roles and checklist ----------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """A role name, or the status text."""
        ident = event.input.id or ""
        if ident.startswith("role-"):
            role = self.options.policy.roles[int(ident.removeprefix("role-"))]
            self._act(self.actions.assign_role(role, event.value))
        elif ident == "status-text":
            self._publish()
        elif ident == "approval-input":
            self._decide(event.input)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Tick or untick the item; the log records who and when."""
        if event.option.id is not None:
            self._act(self.actions.tick(event.option.id))

    # --- status updates ---------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new phase: offer its opening sentence when the text is still a stock one."""
        text = self.query_one("#status-text", Input)
        if isinstance(event.value, str) and text.value in {starter(p) for p in PHASES} | {""}:
            text.value = starter(event.value)
        self._preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Preview and leak check as the text is typed."""
        if event.input.id == "status-text":
            self._confirm_leaks = False
            self._preview()

    def _leaks_line(self, text: str) -> str:
        terms = known_terms(self.session.state, self.options.leak_terms)
        leaks = find_leaks(text, terms)
        return describe(leaks) if leaks else ""

    def _preview(self) -> None:
        phase = self.query_one("#status-phase", Select).value
        text = self.query_one("#status-text", Input).value
        try:
            draft = compose(str(phase), text, self.session.now(),
                            private=self.options.statuspage_private)  # fmt: skip
        except ValueError as err:
            self.query_one("#status-preview", Static).update(Text(str(err)))
            return
        page = "the page is PRIVATE (staff only)" if draft.private else "the page is PUBLIC"
        target = "webhook" if self.options.webhook_url else "copy only (no webhook configured)"
        preview = Text(f"{draft.preview()}\n{page}; {target}")
        self.query_one("#status-preview", Static).update(preview)
        self.query_one("#status-warning", Static).update(Text(self._leaks_line(text)))

    def _publish(self) -> None:
        phase = str(self.query_one("#status-phase", Select).value)
        text = self.query_one("#status-text", Input).value
        try:
            draft = compose(
                phase, text, self.session.now(), private=self.options.statuspage_private
            )
        except ValueError as err:
            self._say(str(err))
            return
        warning = self._leaks_line(draft.text)
        if warning and not self._confirm_leaks:
            self._confirm_leaks = True
            self.query_one("#status-warning", Static).update(
                Text(f"{warning}\nPress Enter again to publish anyway.", "bold")
            )
            return
        self._confirm_leaks = False
        self._act(self.actions.post_status(draft.phase, draft.text, leak_warning=warning))

    # --- escalation -------------------------------------------------------------------------

    def action_page(self) -> None:
        """Page the next ladder level (after a confirmation)."""
        from cockpit.actions.outcome import Refused
        from cockpit.screens.dialogs import ConfirmDialog

        plan = self.actions.plan_page()
        if isinstance(plan, Refused):
            self._say(f"Paging is not offered: {plan.reason}.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(self.actions.page(plan))

        self.app.push_screen(ConfirmDialog(plan.question, yes="Page"), answered)
