"""Thin Textual application: the composition root that wires screens to the incident log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from cockpit.screens.dashboard import DashboardScreen


@dataclass(frozen=True, slots=True)
class AppOptions:
    """How the cockpit was started (mode shown in the header, read-only switch)."""

    mode: str = "LIVE"
    read_only: bool = False
    environment: str = ""


class CockpitApp(App[int]):
    """The cockpit. Screens render slices of the incident state; they never poll themselves."""

    TITLE = "cockpit"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options

    def on_mount(self) -> None:
        """Show the dashboard first."""
        self.push_screen(DashboardScreen(self.options.mode, self.options.read_only))

    def action_help(self) -> None:
        """Show the key help panel."""
        self.action_show_help_panel()


def run_app(options: AppOptions) -> int:
    """Run the cockpit until the user quits; returns the exit code."""
    result = CockpitApp(options).run()
    return int(result or 0)
