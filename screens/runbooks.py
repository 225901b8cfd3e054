"""The runbook list (shipped and the team's own runbooks, and the files refused)."""

from __future__ import annotations

from typing import ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from cockpit.runbook.model import RunbookSet
from cockpit.sanitize import clean
from cockpit.screens.footer import KeyFooter
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
        yield KeyFooter()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        """Open the chosen runbook."""
        runbook = self._runbooks.get(event.key)
        if runbook is not None:
            from cockpit.screens.runbook_host import RunbookHost
            from cockpit.screens.runbook_screen import runbook_screen_for

            self.app.push_screen(runbook_screen_for(cast(RunbookHost, self.app), runbook))

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.app.pop_screen()
