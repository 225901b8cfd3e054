"""Timeline screen: human events and observed changes, filtered by kind, searched, and a jump
to the replay at the moment of an entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, Static

from cockpit.clock import rfc3339
from cockpit.domain.state import IncidentState
from cockpit.domain.timeline import (
    KINDS,
    TimelineEntry,
    build_timeline,
    filter_entries,
    origin_of,
    relative_time,
)
from cockpit.permissions import Capability
from cockpit.screens.act import perform
from cockpit.screens.dialogs import NoteDialog
from cockpit.screens.footer import KeyFooter
from cockpit.screens.widgets import Column, Row, RowStyle, VirtualTable
from cockpit.session import ReplaySession

if TYPE_CHECKING:
    from cockpit.actions.core import Actions
    from cockpit.session import Session

FILTERS: tuple[str, ...] = ("all", "human", *KINDS)
"""What `f` cycles through: everything, every human event, then one kind at a time."""

COLUMNS = (
    Column("at", "Time (UTC)", width=8, priority=9),
    Column("rel", "T+", width=8, priority=6),
    Column("kind", "Kind", width=10, priority=8),
    Column("text", "What", min_width=24, ratio=4, priority=10),
    Column("who", "Who", min_width=10, ratio=1, priority=2),
)

_STYLES: dict[str, RowStyle] = {"alert": "warning", "mitigation": "ok", "severity": "danger"}

JumpHandler = Callable[[TimelineEntry], None]
StateSource = Callable[[], IncidentState]


class TimelineScreen(Screen[None]):
    """Every timeline entry, newest at the bottom; Enter jumps to it."""

    CSS_PATH = "timeline.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("f", "cycle_filter", "Kind filter"),
        Binding("slash", "search", "Search"),
        Binding("enter", "jump", "Jump to replay"),
        Binding("c", "correct", "Correct a note"),
    ]

    def __init__(
        self,
        entries: Sequence[TimelineEntry],
        origin: datetime | None,
        on_jump: JumpHandler,
        *,
        on_correct: JumpHandler | None = None,
        live: StateSource | None = None,
    ) -> None:
        super().__init__()
        self._live = live
        self._entries = list(entries)
        self._origin = origin
        self._on_jump = on_jump
        self._on_correct = on_correct
        self._filter = "all"
        self._search = ""
        self._shown: list[TimelineEntry] = []
        self.revision = -1
        """The session revision last shown (live: the app hands each new state over)."""

    def compose(self) -> ComposeResult:
        """Filter line, search field, the table, the footer."""
        yield Static(id="timeline-status")
        yield Input(placeholder="search (Enter to apply, Esc to leave)", id="timeline-search")
        yield VirtualTable(COLUMNS, empty_text="nothing in the timeline", id="timeline-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the table and put the cursor on it."""
        self._refresh_rows()
        self.query_one(VirtualTable).focus()

    def show_state(self, state: IncidentState, now: datetime, revision: int) -> None:
        """The log advanced: a live timeline takes the new entries (a replay's timeline is
        the whole log already, whatever the playhead)."""
        self.revision = revision
        if self._live is not None:
            self.reload(state)

    def show_time(self, now: datetime) -> None:
        """Times here are absolute or relative to the first event: nothing moves."""

    def reload(self, state: IncidentState | None = None) -> None:
        """Rebuild from the live state; the table is touched only when an entry changed."""
        if self._live is None:
            return
        state = self._live() if state is None else state
        entries = list(build_timeline(state))
        if entries != self._entries:
            self._entries = entries
            self._origin = origin_of(state)
            self._refresh_rows()

    @property
    def shown(self) -> list[TimelineEntry]:
        """The entries the table shows now (after the kind filter and the search)."""
        return list(self._shown)

    @property
    def kind_filter(self) -> str:
        """The current kind filter (`all`, `human` or one kind)."""
        return self._filter

    def set_filter(self, kind: str) -> None:
        """Show only `kind` (`all`, `human` or one of the entry kinds)."""
        if kind not in FILTERS:
            raise ValueError(f"unknown timeline filter {kind!r}")
        self._filter = kind
        self._refresh_rows()

    def set_search(self, text: str) -> None:
        """Show only entries containing `text` (case-insensitive)."""
        self._search = text
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        if self._filter == "all":
            kinds: Sequence[str] | None = None
        elif self._filter == "human":
            kinds = [k for k in KINDS if k != "alert"]
        else:
            kinds = [self._filter]
        self._shown = filter_entries(self._entries, kinds, self._search)
        rows = [self._row(i, e) for i, e in enumerate(self._shown)]
        self.query_one(VirtualTable).set_rows(rows)
        status = Text(f"{len(self._shown)} of {len(self._entries)} entries · kind: ", "dim")
        status.append(self._filter, "bold")
        if self._search:
            status.append(" · search: ", "dim")
            status.append(self._search, "bold")
        status.append("   f: kind  /: search  Enter: jump to replay  c: correct", "dim")
        self.query_one("#timeline-status", Static).update(status)

    def _row(self, index: int, entry: TimelineEntry) -> Row:
        rel = relative_time(entry.ts, self._origin) if self._origin is not None else ""
        cells = (f"{entry.ts:%H:%M:%S}", rel, entry.kind, entry.text, entry.actor)
        return Row(str(index), cells, _STYLES.get(entry.kind))

    def action_cycle_filter(self) -> None:
        """Next kind filter."""
        self.set_filter(FILTERS[(FILTERS.index(self._filter) + 1) % len(FILTERS)])

    def action_search(self) -> None:
        """Focus the search field."""
        self.query_one("#timeline-search", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as you type."""
        self.set_search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Back to the table with the search applied."""
        self.query_one(VirtualTable).focus()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        """Enter on a row: jump there."""
        event.stop()
        self._jump(event.key)

    def action_jump(self) -> None:
        """Jump to the entry under the cursor."""
        self._jump(self.query_one(VirtualTable).cursor_key)

    def action_correct(self) -> None:
        """Write a correction of the note under the cursor (a new note that supersedes it)."""
        entry = self._entry(self.query_one(VirtualTable).cursor_key)
        if entry is not None and self._on_correct is not None:
            self._on_correct(entry)

    def _entry(self, key: str | None) -> TimelineEntry | None:
        if key is None or not key.isdigit() or int(key) >= len(self._shown):
            return None
        return self._shown[int(key)]

    def _jump(self, key: str | None) -> None:
        entry = self._entry(key)
        if entry is not None:
            self._on_jump(entry)

    def action_close(self) -> None:
        """Leave the search field first, then the screen."""
        search = self.query_one("#timeline-search", Input)
        if search.has_focus:
            self.query_one(VirtualTable).focus()
            return
        self.dismiss(None)


def open_timeline(
    app: App[Any], session: Session, author: str, render: Callable[[], None], actions: Actions
) -> TimelineScreen:
    """Push the timeline of the whole log; Enter seeks a replay, or says how to replay.

    A replay's timeline comes from the background fold of the whole log (the playhead's
    state stops at the playhead); until that fold is done it shows as far as it got."""
    replay = isinstance(session, ReplaySession)
    state = session.whole_log_state() if isinstance(session, ReplaySession) else session.state
    if isinstance(session, ReplaySession) and not session.whole_log_complete:
        app.notify("The replay is still reading the log: the timeline shows as far as it got.")
    entries = build_timeline(state)
    origin = origin_of(state)

    def jump(entry: TimelineEntry) -> None:
        if isinstance(session, ReplaySession):
            app.pop_screen()
            transport = getattr(app, "transport", None)
            if transport is not None:
                transport.seek(entry.ts, render)  # folds in a worker, then renders
            else:
                session.player.seek(entry.ts)
                render()
            return
        at = relative_time(entry.ts, origin) if origin is not None else rfc3339(entry.ts)
        app.notify(f"To replay from this moment: cockpit replay {session.log_path} --at {at}")

    def correct(entry: TimelineEntry) -> None:
        note = (state if replay else session.state).notes.get(entry.ref)
        refused = actions.refusal(Capability.RECORD)
        if refused is not None or note is None:
            app.notify(
                f"Not offered: {refused}." if refused else "Only notes can be corrected.",
                markup=False,
            )
            return
        app.push_screen(
            NoteDialog(
                author=author,
                draft_sink=lambda draft: perform(app, actions.add_note(draft)),
                correcting=(note.note_id, note.text),
            )
        )

    live = None if replay else (lambda: session.state)
    screen = TimelineScreen(entries, origin, jump, on_correct=correct, live=live)
    app.push_screen(screen)
    return screen
