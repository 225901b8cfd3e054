"""Alertmanager silences: the dialog `s` opens on an alert, and the list `S` opens."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Static

from cockpit.actions.outcome import Done, Refused
from cockpit.actions.silences import (
    Silence,
    SilenceDraft,
    matcher_text,
    matchers_from_labels,
    parse_duration,
    parse_matchers,
)
from cockpit.screens.act import actions_of, perform, run_followup
from cockpit.screens.dialogs import ConfirmDialog
from cockpit.screens.footer import KeyFooter
from cockpit.screens.safe import plain

DraftSink = Callable[[SilenceDraft], str | None]
"""Sends the draft; an error to show, or None once the silence is on its way."""
DEFAULT_DURATION = "2h"


class SilenceDialog(ModalScreen[bool]):
    """Matchers (from the alert's labels, editable), a duration and a required comment."""

    DEFAULT_CSS = """
    SilenceDialog { align: center middle; }
    SilenceDialog > Vertical {
        width: 90%; max-width: 110; height: auto; border: thick $warning; background: $surface;
        padding: 0 1;
    }
    SilenceDialog #silence-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, alert: str, labels: Mapping[str, str], author: str, sink: DraftSink):
        super().__init__()
        self._alert = alert
        self._labels = dict(labels)
        self._author = author
        self._sink = sink

    def compose(self) -> ComposeResult:
        """Three fields; Enter in the comment sends the silence to Alertmanager."""
        with Vertical():
            yield Label(plain(f"Silence {self._alert} (created by {self._author})", max_len=100))
            yield Label(Text("Matchers (an alert must match all of them):"))
            yield Input(matcher_text(matchers_from_labels(self._labels)), id="silence-matchers")
            yield Label(Text("Duration (30m, 2h, 1d):"))
            yield Input(DEFAULT_DURATION, id="silence-duration")
            yield Label(Text("Comment (required; Enter creates the silence, Esc cancels):"))
            yield Input(placeholder="why, and until what", id="silence-comment")
            yield Static("", id="silence-error")

    def on_mount(self) -> None:
        """Start in the comment: the matchers and duration usually stay as offered."""
        self.query_one("#silence-comment", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the fields and send; stay open with the reason when something is wrong."""
        error = self.query_one("#silence-error", Static)
        try:
            matchers = parse_matchers(self.query_one("#silence-matchers", Input).value)
            duration = parse_duration(self.query_one("#silence-duration", Input).value)
        except ValueError as err:
            error.update(plain(err, single_line=True))
            return
        comment = self.query_one("#silence-comment", Input).value
        problem = self._sink(SilenceDraft(matchers, duration, comment, self._alert))
        if problem is not None:
            error.update(plain(f"Not sent: {problem}", single_line=True))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Close; nothing is sent."""
        self.dismiss(False)


class SilencesScreen(Screen[None]):
    """The silences Alertmanager holds, active first; `x` expires the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("x", "expire", "Expire"),
        Binding("ctrl+r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._silences: list[Silence] = []

    def compose(self) -> ComposeResult:
        """A status line, the table, the key footer."""
        yield Static(Text("Reading the silences..."), id="silences-status")
        table: DataTable[Text] = DataTable(id="silences", cursor_type="row")
        table.add_columns("State", "Id", "Matchers", "Ends", "By", "Comment")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        """Ask Alertmanager once on opening."""
        self.action_reload()

    def action_reload(self) -> None:
        """Read the list again (a worker; the answer is pushed back to this screen)."""
        reading = actions_of(self.app).list_silences()
        if isinstance(reading, Refused):
            self._status(f"Not read: {reading.reason}")
            return
        run_followup(self.app, reading, self._listed)

    def _listed(self, done: Done, line: str) -> None:
        if not done.ok:
            self._status(line)
            return
        self._silences = [s for s in done.value if s.state != "expired"]
        table: DataTable[Any] = self.query_one("#silences", DataTable)
        table.clear()
        for s in self._silences:
            ends = s.ends_at.strftime("%Y-%m-%d %H:%M UTC") if s.ends_at else "?"
            cells = (
                s.state,
                s.silence_id[:8],
                matcher_text(s.matchers),
                ends,
                s.created_by,
                s.comment,
            )
            table.add_row(*(plain(c, single_line=True, max_len=80) for c in cells))
        self._status(f"{len(self._silences)} active or pending silence(s); x expires one")

    def action_expire(self) -> None:
        """Expire the highlighted silence, after a yes."""
        table: DataTable[Any] = self.query_one("#silences", DataTable)
        if not self._silences or table.cursor_row >= len(self._silences):
            self._status("No silence is highlighted.")
            return
        chosen = self._silences[table.cursor_row]

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            result = actions_of(self.app).expire_silence(chosen)
            refused = perform(self.app, result, self._expired)
            if refused is not None:
                self._status(f"Not done: {refused}")
            else:
                self._status(f"Expiring silence {chosen.silence_id}...")

        question = f"Expire silence {chosen.silence_id} ({matcher_text(chosen.matchers)}) now?"
        self.app.push_screen(ConfirmDialog(question, yes="Expire"), answered)

    def _expired(self, done: Done, line: str) -> None:
        self._status(line)
        if done.ok:
            self.action_reload()

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)

    def _status(self, text: str) -> None:
        self.query_one("#silences-status", Static).update(plain(text, single_line=True))
