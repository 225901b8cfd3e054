"""Runbook list and a read-only runbook view (the interactive runbook screen comes later)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from cockpit.runbook.model import Runbook, RunbookSet
from cockpit.sanitize import clean
from cockpit.screens.widgets import Column, Row, VirtualTable

COLUMNS = (
    Column("id", "ID", width=7, priority=9),
    Column("sev", "SEV", width=6, priority=8),
    Column("title", "Title", min_width=20, ratio=3, priority=7),
    Column("alerts", "Alerts", min_width=12, ratio=2, priority=1),
)


class RunbookListScreen(Screen[None]):
    """Every runbook found (shipped and the team's own), and the files that were refused."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Back")]

    def __init__(self, runbooks: RunbookSet) -> None:
        super().__init__()
        self._runbooks = runbooks

    def compose(self) -> ComposeResult:
        """The table of runbooks, a line per refused file, the footer."""
        table = VirtualTable(COLUMNS, empty_text="no runbooks found", id="runbook-table")
        table.set_rows(
            [
                Row(rb.id, (rb.id, rb.severity, rb.title, ", ".join(rb.alerts)))
                for rb in self._runbooks.runbooks
            ]
        )
        yield table
        if self._runbooks.refused:
            lines = Text("Refused runbook files (run `cockpit runbooks validate`):\n", "bold red")
            for refused in self._runbooks.refused:
                first = refused.problems[0] if refused.problems else None
                why = f"{first.line}: {first.message}" if first else "invalid"
                lines.append(clean(f"  {refused.path}:{why}\n", max_len=200))
            yield Static(lines, id="refused")
        yield Footer()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        """Open the chosen runbook."""
        runbook = self._runbooks.get(event.key)
        if runbook is not None:
            self.app.push_screen(RunbookView(runbook))

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.app.pop_screen()


def _document(runbook: Runbook, labels: Mapping[str, str] | None) -> str:
    """The runbook's Markdown without its front matter, with a note on where it came from."""
    text = runbook.path.read_text(encoding="utf-8", errors="replace")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            text = text[end + 4 :]
    head = f"*{runbook.id} · severity {runbook.severity} · `{runbook.path.name}`*\n\n"
    if labels:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        head += f"> Opened from an alert with labels: `{shown}`\n\n"
    return clean(head + text)


class RunbookView(Screen[None]):
    """A runbook's text, scrollable; its steps run from the runbook screen (later release)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Back")]

    def __init__(self, runbook: Runbook, labels: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.runbook = runbook
        self._labels = labels

    def compose(self) -> ComposeResult:
        """The rendered Markdown and the footer."""
        with VerticalScroll():
            yield Markdown(_document(self.runbook, self._labels))
        yield Footer()

    def action_close(self) -> None:
        """Back to where the runbook was opened from."""
        self.app.pop_screen()
