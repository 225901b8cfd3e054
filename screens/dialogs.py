"""Small modal dialogs: add a note (fsynced before it closes), confirm, key help."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from cockpit.actions.notes import MILESTONES, NoteDraft
from cockpit.screens.safe import plain

__all__ = ["MILESTONES", "ConfirmDialog", "KeyHelp", "NoteDialog", "NoteDraft"]

NOTE_TAGS = ("decision", "hypothesis", "action-item", "customer-impact")
"""Tags a scribe can put on a note (the post-mortem groups notes by them)."""

NoteSink = Callable[[str, tuple[str, ...]], str | None]
"""Appends a note to the log; returns an error message, or None once it is fsynced."""
DraftSink = Callable[[NoteDraft], str | None]
"""Appends a note, its milestone and what it corrects; an error, or None once fsynced."""


class NoteDialog(ModalScreen[bool]):
    """Type a note; Enter records it. The dialog closes only after the log acknowledged it."""

    DEFAULT_CSS = """
    NoteDialog { align: center middle; }
    NoteDialog > Vertical {
        width: 90%; max-width: 100; height: auto; border: thick $accent; background: $surface;
        padding: 0 1;
    }
    NoteDialog Horizontal { height: auto; }
    NoteDialog Checkbox { width: auto; border: none; padding: 0 1 0 0; }
    NoteDialog #note-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        sink: NoteSink | None = None,
        *,
        author: str,
        draft_sink: DraftSink | None = None,
        correcting: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        if (sink is None) == (draft_sink is None):
            raise ValueError("NoteDialog needs exactly one of sink and draft_sink")
        self._sink = sink
        self._draft_sink = draft_sink
        self._author = author
        self._correcting = correcting
        """(note id, its text) when this note corrects an earlier one (a new event, no edit)."""

    def compose(self) -> ComposeResult:
        """Title, the text field, tag boxes, the milestone choice, an error line."""
        what = "Correction" if self._correcting else "Note"
        with Vertical():
            yield Label(Text(f"{what} by {self._author} (Enter to save, Esc to cancel)"))
            yield Input(
                self._correcting[1] if self._correcting else "",
                placeholder="what happened, what you decided, what you saw",
                id="note",
            )
            with Horizontal():
                for tag in NOTE_TAGS:
                    yield Checkbox(tag, id=f"tag-{tag}")
            if self._draft_sink is not None:  # a plain sink cannot record a milestone
                yield Select(
                    [(f"pin as milestone: {m}", m) for m in MILESTONES],
                    prompt="not a milestone",
                    id="note-milestone",
                )
            yield Static("", id="note-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Record the note; stay open with the reason if the log refused it."""
        text = event.value.strip()
        if not text:
            self.query_one("#note-error", Static).update(Text("A note needs some text."))
            return
        tags = tuple(t for t in NOTE_TAGS if self.query_one(f"#tag-{t}", Checkbox).value)
        if self._draft_sink is not None:
            milestone = self.query_one("#note-milestone", Select).value
            draft = NoteDraft(
                text,
                tags,
                milestone if isinstance(milestone, str) else None,
                self._correcting[0] if self._correcting else None,
            )
            error = self._draft_sink(draft)
        else:
            assert self._sink is not None
            error = self._sink(text, tags)
        if error is not None:
            self.query_one("#note-error", Static).update(Text(f"Not saved: {error}"))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Close without recording anything."""
        self.dismiss(False)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; `y` / `n` answer it from the keyboard."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical {
        width: 70; max-width: 95%; height: auto; border: thick $warning; background: $surface;
        padding: 0 1;
    }
    ConfirmDialog Horizontal { height: auto; align-horizontal: right; }
    ConfirmDialog Button { margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical():
            yield Static(plain(self._question))  # quotes names from outside
            with Horizontal():
                yield Button(f"{self._yes} (y)", id="yes", variant="error")
                yield Button(f"{self._no} (n)", id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button pressed."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        """Answer from the keyboard."""
        self.dismiss(value)


KEYS = (
    ("?", "this help"),
    ("1-4", "focus a pane (alerts, Kafka lag, PostgreSQL, tenant quotas)"),
    ("/", "filter the focused pane (Esc clears)"),
    ("enter", "open the focused item (an alert opens its runbook)"),
    ("y", "copy the focused item's Grafana link to your clipboard (OSC 52, works over SSH)"),
    ("Y", "copy the focused row's text to your clipboard"),
    ("s", "silence the highlighted alert in Alertmanager (matchers, duration, comment)"),
    ("S", "Alertmanager silences: list them, expire one"),
    ("n", "add a note to the incident log"),
    ("i", "declare the incident, or edit it"),
    ("a", "acknowledge the incident (and in PagerDuty when linked)"),
    ("r", "runbooks"),
    ("t", "timeline"),
    ("e", "export the post-mortem"),
    ("c", "incident command: roles, checklist, clocks, paging, status page"),
    ("ctrl+r", "poll every source now"),
    ("ctrl+p", "command palette: every action by name (resolve is there)"),
    ("q ctrl+q", "quit (asks first while an incident is open; so does ctrl+c)"),
)


class KeyHelp(ModalScreen[None]):
    """Every key of the cockpit on one screen."""

    DEFAULT_CSS = """
    KeyHelp { align: center middle; }
    KeyHelp > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def __init__(self, extra: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__()
        self._keys = KEYS + extra

    def compose(self) -> ComposeResult:
        """A two-column list of keys."""
        text = Text()
        for key, what in self._keys:
            text.append(f"{key:>8}  ", "bold")
            text.append(f"{what}\n")
        text.append("\nEsc closes this help.", "dim")
        with Vertical():
            yield Static(text)

    def action_close(self) -> None:
        """Back to where you were."""
        self.dismiss(None)
