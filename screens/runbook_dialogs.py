"""Dialogs of the runbook screen: confirm a mitigation (where, what, typed target), a parameter."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from cockpit.actions.step_where import Confirmation
from cockpit.sanitize import clean

WHAT_MIN, WHAT_MAX, WHAT_CHROME = 4, 16, 16
"""Rows of the plan box: at least, at most, and the dialog rows around it."""
PROD_STYLE = "bold white on red"
"""The colour of production, as on the dashboard's status bar."""


def where_text(asked: Confirmation) -> Text:
    """`ENV PROD  context gke-prod · namespace kyc`: the environment first, PROD in red."""
    env = clean(asked.environment, single_line=True, max_len=40)
    out = Text("Where: ", style="bold")
    if asked.production:
        out.append(f" {env.upper()} · PRODUCTION ", PROD_STYLE)
    else:
        out.append(f" {env} ", "bold reverse")
    rest = [f"{label} {value}" for label, value in asked.where if label != "environment"]
    if rest:
        out.append("  " + clean(" · ".join(rest), single_line=True))
    return out


class MitigationDialog(ModalScreen[str | bool | None]):
    """Where it acts and exactly what will run; returns True (yes), the typed target, or
    None (cancel). In PROD the target is always typed back."""

    DEFAULT_CSS = """
    MitigationDialog { align: center middle; }
    MitigationDialog > Vertical {
        width: 95%; max-width: 110; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    MitigationDialog #where { height: auto; }
    MitigationDialog #what { height: auto; max-height: 14; border: round $warning; }
    MitigationDialog Horizontal { height: auto; }
    MitigationDialog #typed-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, asked: Confirmation) -> None:
        super().__init__()
        self.asked = asked
        self._target = asked.typed_target

    def compose(self) -> ComposeResult:
        """Where, what runs, then the typed-back field or the Run button."""
        with Vertical():
            title = clean(self.asked.title, single_line=True)
            yield Label(Text(f"Run mitigation: {title}", "bold"))
            yield Static(where_text(self.asked), id="where")
            with VerticalScroll(id="what"):
                yield Static(Text(clean(self.asked.what)))
            if self._target is not None:
                yield Label(Text(f"Type {clean(self._target, single_line=True)} to run it:"))
                yield Input(placeholder=self._target, id="typed")
                yield Static("", id="typed-error")
            with Horizontal():
                yield Button("Run", variant="error", id="run")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Focus the field to type in, or Cancel: a stray Enter never runs a mitigation."""
        self.on_resize()
        self.query_one("#typed" if self._target is not None else "#cancel").focus()

    def on_resize(self, event: object = None) -> None:
        """What runs gets the rows left once where, the typed field and buttons are shown
        (at 80x24 the Run and Cancel buttons stay on screen; long plans scroll)."""
        room = self.app.size.height - WHAT_CHROME
        self.query_one("#what").styles.max_height = max(WHAT_MIN, min(WHAT_MAX, room))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the typed field: run if it matches."""
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Run or cancel."""
        if event.button.id == "run":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        if self._target is None:
            self.dismiss(True)
            return
        typed = self.query_one("#typed", Input).value.strip()
        if typed != self._target:
            self.query_one("#typed-error", Static).update(Text("That is not the target."))
            return
        self.dismiss(typed)

    def action_cancel(self) -> None:
        """Close; nothing runs."""
        self.dismiss(None)


class ParamDialog(ModalScreen[tuple[str, str] | None]):
    """Type `name=value` for a parameter; the value is checked before any step uses it."""

    DEFAULT_CSS = """
    ParamDialog { align: center middle; }
    ParamDialog > Vertical {
        width: 80%; max-width: 90; height: auto; border: thick $accent; background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self._names = names

    def compose(self) -> ComposeResult:
        """One field: name=value."""
        with Vertical():
            yield Label(Text("Parameter (name=value): " + ", ".join(self._names)))
            yield Input(placeholder="name=value", id="param")
            yield Static("", id="param-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return the pair if the name is known."""
        name, sep, value = event.value.partition("=")
        if not sep or name.strip() not in self._names:
            self.query_one("#param-error", Static).update(Text("Write name=value, name known."))
            return
        self.dismiss((name.strip(), value.strip()))

    def action_cancel(self) -> None:
        """Close without a value."""
        self.dismiss(None)
