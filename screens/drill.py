"""Drill widgets: the DRILL banner every screen carries, and the debrief screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from cockpit.domain.drill import DebriefRow, clock_text, verdict
from cockpit.sanitize import clean
from cockpit.screens.footer import KeyFooter

BANNER_ID = "drill-banner"


def banner_text(source: str, speed: float) -> Text:
    """The banner line: DRILL, the simulated platform, the source log replayed."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" DRILL ", "bold white on dark_orange3")
    text.append(" exercise on the simulated platform, nothing real is touched · replaying ")
    text.append(clean(source, single_line=True, max_len=60), "bold")
    if speed != 1.0:
        text.append(f" at {speed:g}x")
    return text


class DrillBanner(Static):
    """One line docked at the top of a screen: this is a drill."""

    DEFAULT_CSS = """
    DrillBanner {
        dock: top;
        height: 1;
        background: $warning-darken-3;
    }
    """

    def __init__(self, text: Text) -> None:
        super().__init__(text, id=BANNER_ID)


def debrief_table(rows: Sequence[DebriefRow], right_runbook: str) -> Table:
    """The comparison as a table of plain Text cells (runbook ids come from the log)."""
    table = Table(title=Text("Times after the first alert"), expand=False)
    for header in ("", "original responders", "you", "verdict"):
        table.add_column(Text(header))
    for row in rows:
        what = row.what
        if what == "first right runbook" and right_runbook:
            what = f"{what} ({clean(right_runbook, single_line=True, max_len=24)})"
        table.add_row(
            Text(what),
            Text(clock_text(row.original_s)),
            Text(clock_text(row.trainee_s)),
            Text(verdict(row)),
        )
    return table


class DebriefScreen(Screen[None]):
    """The debrief: the trainee's times against the original responders'."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.request_quit", "Quit the drill"),
        Binding("escape", "app.pop_screen", "Back"),
    ]
    DEFAULT_CSS = """
    DebriefScreen #debrief { padding: 1 2; }
    """

    def __init__(
        self,
        rows: Sequence[DebriefRow],
        right_runbook: str,
        reason: str,
        banner: Text,
        log_path: str = "",
    ) -> None:
        super().__init__()
        self.log_path = log_path
        self.rows = tuple(rows)
        self.right_runbook = right_runbook
        self.reason = reason
        self._banner = banner

    def compose(self) -> ComposeResult:
        yield DrillBanner(self._banner)
        intro = Text(f"Debrief ({clean(self.reason, single_line=True)}). ", "bold")
        where = clean(self.log_path, single_line=True) or "the drill log"
        intro.append(f"Kept in {where}; `cockpit export` on it writes it as Markdown.")
        intro.append("\nq quits, Esc goes back to the drill.", "dim")
        yield Static(intro, id="debrief-intro")
        yield Static(debrief_table(self.rows, self.right_runbook), id="debrief")
        yield KeyFooter()
