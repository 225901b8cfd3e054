"""Declare the incident, or edit it: title, severity, services, tenants, security flag."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from cockpit.command.declare import IncidentForm, split_names
from cockpit.command.schemes import SEV, Scheme, matrix
from cockpit.sanitize import clean

__all__ = ["IncidentDialog", "IncidentForm"]


class IncidentDialog(ModalScreen[IncidentForm | None]):
    """The incident form; the severity suggested by firing alerts is shown, never applied."""

    DEFAULT_CSS = """
    IncidentDialog { align: center middle; }
    IncidentDialog > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%; border: thick $error;
        background: $surface; padding: 0 1;
    }
    IncidentDialog #incident-matrix { height: auto; max-height: 10; }
    IncidentDialog Checkbox { border: none; padding: 0; }
    IncidentDialog #incident-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        # Priority: the level is picked and the focus moved before the keys typed right
        # behind the digit are handed out (they belong to the next field).
        *(Binding(d, f"severity_digit('{d}')", show=False, priority=True) for d in "0123456789"),
    ]

    def __init__(
        self,
        form: IncidentForm | None = None,
        *,
        suggested: str | None = None,
        detected: str | None = None,
        scheme: Scheme = SEV,
    ) -> None:
        super().__init__()
        self._form = form
        self._suggested = scheme.translate(suggested) if suggested else None
        self._detected = detected
        self._scheme = scheme

    def compose(self) -> ComposeResult:
        """Heading, fields, the suggestion and the detection time, an error line."""
        form = self._form
        heading = "Edit the incident" if form else "Declare an incident"
        hint = (
            f"Suggested from the firing alerts: {self._suggested} (not applied)"
            if self._suggested
            else "No firing alert suggests a severity."
        )
        if self._detected and not form:
            hint += f"  Detected at {clean(self._detected, single_line=True)} (first alert)."
        labels = self._scheme.labels
        with Vertical():
            yield Label(Text(f"{heading} (Enter saves, Esc cancels)", "bold"))
            yield Input(
                form.title if form else "",
                placeholder="short title, e.g. primary DB out of connections",
                id="incident-title",
                compact=True,
            )
            yield Select(
                [(s, s) for s in labels],
                value=form.severity if form and form.severity in labels else Select.NULL,
                prompt="severity: type its digit, or Enter for the list",
                id="incident-severity",
                compact=True,
            )
            yield Input(
                " ".join(form.services) if form else "",
                placeholder="affected services (space separated)",
                id="incident-services",
                compact=True,
            )
            yield Input(
                " ".join(form.tenants) if form else "",
                placeholder="affected tenants (space separated)",
                id="incident-tenants",
                compact=True,
            )
            yield Checkbox(
                "Security incident (adds the procedure and the 24 h / 72 h clocks)",
                form.security if form else False,
                id="incident-security",
            )
            yield Static(Text(hint, "dim"))
            yield Static("", id="incident-error")
            with VerticalScroll(id="incident-matrix"):
                yield Static(self._matrix(form.severity if form else None), id="matrix-text")

    def _matrix(self, chosen: str | None) -> Table:
        """The scheme's matrix: per level, its response SLA, who is alerted, its definition."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for label, meaning, sla, alerted in matrix(self._scheme):
            text = Text(f"respond within {sla} · alert at once: {alerted}\n")
            text.append(meaning, "dim")
            grid.add_row(Text(label, "reverse bold" if label == chosen else "bold"), text)
        return grid

    def on_select_changed(self, event: Select.Changed) -> None:
        """Mark the chosen level in the matrix; a level picked by hand moves on to the next
        field, where Enter saves."""
        chosen = event.value if isinstance(event.value, str) else None
        self.query_one("#matrix-text", Static).update(self._matrix(chosen))
        if chosen is not None and event.select.has_focus:
            self.query_one("#incident-services", Input).focus()

    def action_severity_digit(self, digit: str) -> None:
        """On the severity field, its digit picks a level (1 for SEV-1, 0 for P0) and moves
        on; anywhere else the digit is typed as usual."""
        select = self.query_one("#incident-severity", Select)
        label = next((x for x in self._scheme.labels if x.endswith(digit)), None)
        if self.focused is not select or label is None:  # has_focus lags: set on the Focus event
            raise SkipAction()
        select.value = label
        self.set_focus(self.query_one("#incident-services", Input))  # now, not after a call_later

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        """Validate and close with the form."""
        title = self.query_one("#incident-title", Input).value.strip()
        severity = self.query_one("#incident-severity", Select).value
        error = self.query_one("#incident-error", Static)
        if not title:
            error.update(Text("The incident needs a title."))
            return
        if not isinstance(severity, str) or severity not in self._scheme.labels:
            error.update(Text(f"Choose a severity: one of {', '.join(self._scheme.labels)}."))
            return
        self.dismiss(
            IncidentForm(
                title,
                severity,
                split_names(self.query_one("#incident-services", Input).value),
                split_names(self.query_one("#incident-tenants", Input).value),
                self.query_one("#incident-security", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)
