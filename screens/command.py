"""Incident command screen: roles, checklist (who/when), clocks, paging, status updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from cockpit.command.checklist import checklist_rows
from cockpit.command.leaks import describe, find_leaks, known_terms
from cockpit.command.mirror import NoteMirror
from cockpit.command.options import CommandOptions
from cockpit.command.setup import refusal
from cockpit.command.statuspage import PHASES, compose, publish, starter
from cockpit.log.events import ChecklistTicked, ExternalActionRecorded, Payload, RoleAssigned
from cockpit.sanitize import clean
from cockpit.screens.command_pd import PagerDutyPanel
from cockpit.screens.command_view import clocks_text, row_text

if TYPE_CHECKING:
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
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+g", "page", "Page next level"),
    ]

    def __init__(
        self, session: Session, options: CommandOptions, *, author: str, read_only: bool,
        mirror: NoteMirror | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        # Shared with the app, whose note action copies notes to PagerDuty while linked.
        self.mirror = mirror if mirror is not None else NoteMirror()
        self.session = session
        self.options = options
        self.author = author
        self.read_only = read_only
        self._rows: tuple[tuple[str, bool, object], ...] = ()
        self._confirm_leaks = False
        self._last_clocks: Text | None = None

    def compose(self) -> ComposeResult:
        """Clocks, roles, checklist, status composer, a message line."""
        with VerticalScroll():
            yield Static("", id="cmd-clocks")
            yield Static("", id="cmd-message")
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
            yield PagerDutyPanel(self.session, self.options.pagerduty, self.mirror,
                                 author=self.author, locked=self.refusal)  # fmt: skip
        yield Footer()

    def on_mount(self) -> None:
        """Render now and every second (clocks move even when no event arrives)."""
        self.refresh_view()
        self._preview()
        self.set_interval(1.0, self.refresh_view)

    # --- rendering --------------------------------------------------------------------------

    def refusal(self) -> str | None:
        """Why mutating actions are not offered now (None: they are)."""
        incident = self.session.state.incident
        return refusal(
            writable=self.session.writable,
            read_only=self.read_only,
            incident_open=incident is not None and incident.state == "open",
        )

    def refresh_view(self) -> None:
        """Re-render clocks, roles and checklist from the folded state."""
        state, now = self.session.state, self.session.now()
        clocks = clocks_text(state, now, self.options.policy)
        if clocks != self._last_clocks:
            self._last_clocks = clocks
            self.query_one("#cmd-clocks", Static).update(clocks)
        locked = self.refusal()
        for index, role in enumerate(self.options.policy.roles):
            field = self.query_one(f"#role-{index}", Input)
            field.disabled = locked is not None
            held = state.roles.get(role)
            if held is not None and not field.has_focus and field.value != held.person:
                field.value = clean(held.person, single_line=True, max_len=60)
        for name in ("#status-text", "#status-phase", "#cmd-checklist"):
            self.query_one(name).disabled = locked is not None
        rows = checklist_rows(state)
        signature = tuple((r.item.key, r.done, r.at) for r in rows)
        if signature != self._rows:
            self._rows = signature
            checklist = self.query_one("#cmd-checklist", OptionList)
            highlighted = checklist.highlighted
            checklist.set_options(Option(row_text(r), id=r.item.key) for r in rows)
            checklist.highlighted = highlighted
        if locked is not None:
            self._say(f"Read-only: {locked}.")

    def _say(self, message: str) -> None:
        self.query_one("#cmd-message", Static).update(Text(message))

    def _append(self, payloads: Sequence[Payload]) -> bool:
        try:
            for payload in payloads:
                self.session.append(payload)
        except (OSError, ValueError, RuntimeError) as err:
            self._say(f"Not saved: {clean(err, single_line=True, max_len=120)}")
            return False
        self.refresh_view()
        return True

    # --- roles and checklist ----------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """A role name, or the status text."""
        if self.refusal() is not None:
            return
        ident = event.input.id or ""
        if ident.startswith("role-"):
            role = self.options.policy.roles[int(ident.removeprefix("role-"))]
            person = event.value.strip()
            if not person:
                self._say(f"Type a name to assign {role}.")
            elif self._append([RoleAssigned(role, person, self.author)]):
                self._say(f"{role}: {person}.")
        elif ident == "status-text":
            self._publish()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Tick or untick the item; the log records who and when."""
        key = event.option.id
        if key is None or self.refusal() is not None:
            return
        tick = self.session.state.checklist.get(key)
        done = not (tick is not None and tick.done)
        self._append([ChecklistTicked(key, done, self.author)])

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
        pre: list[Payload] = []
        if warning:
            pre.append(ExternalActionRecorded("statuspage", "leak-check", "warned", warning,
                                              self.author))  # fmt: skip
        if not self._append(pre):
            return
        self._confirm_leaks = False
        incident = self.session.state.incident
        ident = incident.incident_id if incident else ""
        options = self.options

        def work() -> None:
            result = publish(draft, options.webhook_url, actor=self.author, incident_id=ident,
                             timeout_s=options.statuspage_timeout_s)  # fmt: skip
            self.app.call_from_thread(self._published, result.events, result.message)

        self._say("Publishing...")
        self.run_worker(work, thread=True, exclusive=True, group="statuspage")

    def _published(self, events: Sequence[Payload], message: str) -> None:
        if self._append(events):
            self._say(message)

    # --- escalation -------------------------------------------------------------------------

    def action_page(self) -> None:
        """Page the next ladder level (after a confirmation)."""
        from cockpit.screens.command_page import start_page

        start_page(self)
