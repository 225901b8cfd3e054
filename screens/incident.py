"""Declare the incident, or change its title and severity (every change is a log event)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

SEV_SCHEME = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")


@dataclass(frozen=True, slots=True)
class IncidentForm:
    """What the operator entered."""

    title: str
    severity: str


class IncidentDialog(ModalScreen[IncidentForm | None]):
    """Title and severity; the suggestion from the firing alerts is shown, never applied."""

    DEFAULT_CSS = """
    IncidentDialog { align: center middle; }
    IncidentDialog > Vertical {
        width: 80; max-width: 100%; height: auto; border: thick $error; background: $surface;
        padding: 0 1;
    }
    IncidentDialog #incident-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        *,
        title: str = "",
        severity: str | None = None,
        suggested: str | None = None,
        editing: bool = False,
        scheme: tuple[str, ...] = SEV_SCHEME,
    ) -> None:
        super().__init__()
        self._title = title
        self._severity = severity
        self._suggested = suggested
        self._editing = editing
        self._scheme = scheme

    def compose(self) -> ComposeResult:
        """Heading, title field, severity choice, suggestion, error line."""
        heading = "Edit the incident" if self._editing else "Declare an incident"
        hint = (
            f"Suggested from the firing alerts: {self._suggested} (not applied)"
            if self._suggested
            else "No firing alert suggests a severity."
        )
        with Vertical():
            yield Label(Text(f"{heading} (Enter saves, Esc cancels)", "bold"))
            yield Input(
                self._title,
                placeholder="short title, e.g. primary DB out of connections",
                id="incident-title",
            )
            yield Select(
                [(s, s) for s in self._scheme],
                value=self._severity if self._severity in self._scheme else Select.BLANK,
                prompt="severity",
                id="incident-severity",
            )
            yield Static(Text(hint, "dim"))
            yield Static("", id="incident-error")

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        """Validate and close with the form."""
        title = self.query_one("#incident-title", Input).value.strip()
        severity = self.query_one("#incident-severity", Select).value
        error = self.query_one("#incident-error", Static)
        if not title:
            error.update(Text("The incident needs a title."))
            return
        if not isinstance(severity, str) or severity not in self._scheme:
            error.update(Text(f"Choose a severity: one of {', '.join(self._scheme)}."))
            return
        self.dismiss(IncidentForm(title, severity))

    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)
