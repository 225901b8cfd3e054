"""The one-line filter input under the panes: filters the chosen pane live as you type."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """Hidden until `/`; Enter keeps the filter, Esc clears it. Either way the bar closes."""

    DEFAULT_CSS = """
    FilterBar {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
        &.-open { display: block; }
        &:focus { border: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_and_close", "Clear filter", show=False),
    ]

    class Closed(Message):
        """The bar closed; `cleared` says whether the filter was dropped (Esc)."""

        def __init__(self, bar: FilterBar, cleared: bool) -> None:
            self.bar = bar
            self.cleared = cleared
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter", id=id, select_on_focus=False)
        self.target = 0
        """Number of the pane being filtered (0: none)."""

    def open_for(self, target: int, label: str, current: str) -> None:
        """Show the bar for pane `target`, starting from its current filter."""
        self.target = target
        self.placeholder = f"filter {label} (Enter keeps, Esc clears)"
        with self.prevent(Input.Changed):
            self.value = current
        self.add_class("-open")
        self.focus()

    def close(self) -> None:
        """Hide the bar."""
        self.remove_class("-open")
        self.target = 0

    def action_clear_and_close(self) -> None:
        """Esc: drop the filter and close."""
        self.value = ""
        self.post_message(self.Closed(self, cleared=True))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: keep the filter and close."""
        event.stop()
        self.post_message(self.Closed(self, cleared=False))
