"""Thin Textual application: the composition root wiring a session, the screens and the keys."""

from __future__ import annotations

import getpass
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget

from cockpit.clock import Clock, SystemClock
from cockpit.domain.channel import channel_name, incident_id
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from cockpit.domain.views import AlertPolicy, NoCatalog, suggested_severity
from cockpit.log.events import IncidentDeclared, IncidentUpdated, NoteAdded
from cockpit.sanitize import clean
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.dialogs import ConfirmDialog, KeyHelp, NoteDialog
from cockpit.screens.header import HeaderInfo, StatusBar
from cockpit.screens.incident import IncidentDialog, IncidentForm
from cockpit.screens.panes.base import PaneContext
from cockpit.screens.transport import SeekDialog, TransportBar, next_speed
from cockpit.session import ReplaySession, Session

if TYPE_CHECKING:
    from datetime import datetime

    from cockpit.log.player import Player
    from cockpit.runbook.model import RunbookSet

REPLAY_KEYS = (
    ("space", "play_pause", "Play/pause"),
    ("plus,equals_sign", "speed(True)", "Faster"),
    ("minus", "speed(False)", "Slower"),
    ("full_stop", "step", "Step"),
    ("right_square_bracket", "step_human", "Next human event"),
    ("g", "seek", "Go to"),
    ("home", "rewind", "Start"),
)
"""Transport keys, bound only while replaying."""

PUMP_S = 0.25
"""How often the log is read for new events (ours and other processes')."""
TICK_S = 1.0
"""How often ages and clocks are re-rendered (nothing is written when nothing changed)."""


def default_author() -> str:
    """user@host, the author of notes when the config names nobody."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True, slots=True)
class AppOptions:
    """How the cockpit was started."""

    header: HeaderInfo = field(default_factory=lambda: HeaderInfo("LIVE"))
    read_only: bool = False
    """No mutating action anywhere (--read-only, a viewer role, a read-only environment)."""
    refresh_s: float = 2.0
    author: str = field(default_factory=default_author)
    thresholds: Thresholds = DEFAULT_THRESHOLDS


class CockpitApp(App[int]):
    """The cockpit. Screens render slices of the session's folded state; they never poll."""

    TITLE = "cockpit"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "request_quit", "Quit"),
        Binding("question_mark", "key_help", "Help"),
        Binding("n", "note", "Note"),
        Binding("i", "incident", "Incident"),
        Binding("r", "runbooks", "Runbooks"),
        Binding("t", "timeline", "Timeline", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("ctrl+r", "refresh_sources", "Refresh", show=False),
    ]

    def __init__(self, session: Session, options: AppOptions, *, clock: Clock | None = None):
        super().__init__()
        self.session = session
        self.options = options
        self.clock = clock or SystemClock()
        self.policy: AlertPolicy = NoCatalog()
        self.status_bar = StatusBar(options.header)
        self.transport: TransportBar | None = None
        header: Widget = self.status_bar
        if isinstance(session, ReplaySession):
            self.transport = TransportBar(session.player)
            header = Vertical(self.status_bar, self.transport, id="top-bars")
            for keys, action, description in REPLAY_KEYS:
                self.bind(keys, action, description=description)
        self.dashboard = DashboardScreen(header=header)
        self._runbooks: RunbookSet | None = None

    # --- life cycle ------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Show the dashboard now; load the catalog and start the session after the frame."""
        self.push_screen(self.dashboard)
        self.render_state()
        self.call_after_refresh(self._start)

    async def _start(self) -> None:
        from cockpit.runbook.catalog import CatalogError, load_catalog

        try:
            self.policy = load_catalog()
        except CatalogError as err:
            self.notify(clean(err, single_line=True), title="Alert catalog", severity="error")
        await self.session.start()
        self.set_interval(PUMP_S, self._pump)
        self.set_interval(TICK_S, self.render_state)
        self.render_state()

    def _pump(self) -> None:
        if self.session.pump():
            self.render_state()

    def render_state(self) -> None:
        """Hand the current state to the dashboard and the status bar."""
        try:
            now = self.session.now()
        except RuntimeError:
            return
        state = self.session.state
        self.status_bar.show(state, now, self.options.refresh_s)
        if self.transport is not None:
            self.transport.show()
        self.dashboard.refresh_from(
            PaneContext(state, now, self.options.thresholds, self.policy, self.options.refresh_s)
        )

    async def action_request_quit(self) -> None:
        """Quit; ask first while an incident is open."""
        incident = self.session.state.incident
        if incident is not None and incident.state == "open" and self.session.writable:
            question = (
                f"Incident {clean(incident.incident_id, single_line=True)} is still open. "
                "Quit the cockpit anyway? The log stays on disk and can be reopened."
            )
            self.push_screen(ConfirmDialog(question, yes="Quit"), self._quit_if)
            return
        await self._shutdown()

    async def _quit_if(self, answer: bool | None) -> None:
        if answer:
            await self._shutdown()

    async def _shutdown(self) -> None:
        await self.session.stop()
        self.exit(0)

    # --- operator actions ------------------------------------------------------------------

    def _refuse_if_read_only(self, what: str) -> bool:
        if not self.session.writable:
            self.notify(f"{what}: not in a replay (the recorded log is read-only).")
            return True
        return False

    def action_note(self) -> None:
        """Open the note dialog; the note is in the log before the dialog closes."""
        if self._refuse_if_read_only("Notes"):
            return
        self.push_screen(NoteDialog(self._save_note, author=self.options.author))

    def _save_note(self, text: str, tags: tuple[str, ...]) -> str | None:
        note = NoteAdded(uuid.uuid4().hex[:12], text, self.options.author, tags)
        try:
            self.session.append(note)
        except (OSError, ValueError, RuntimeError) as err:
            return clean(err, single_line=True, max_len=120)
        self.render_state()
        return None

    def action_incident(self) -> None:
        """Declare the incident, or edit its title and severity."""
        if self._refuse_if_read_only("Incident"):
            return
        state = self.session.state
        incident = state.incident
        suggested = suggested_severity(state, self.policy)
        if incident is None or incident.state != "open":
            dialog = IncidentDialog(suggested=suggested)
        else:
            dialog = IncidentDialog(
                title=incident.title, severity=incident.severity, suggested=suggested, editing=True
            )
        self.push_screen(dialog, self._save_incident)

    def _save_incident(self, form: IncidentForm | None) -> None:
        if form is None:
            return
        state = self.session.state
        now = self.session.now()
        incident = state.incident
        try:
            if incident is None or incident.state != "open":
                self.session.append(
                    IncidentDeclared(
                        incident_id=incident_id(form.title, now),
                        title=form.title,
                        severity=form.severity,
                        channel=channel_name(form.title, now),
                        actor=self.options.author,
                    )
                )
            else:
                changes = {
                    k: v
                    for k, v in (("title", form.title), ("severity", form.severity))
                    if getattr(incident, k) != v
                }
                if changes:
                    self.session.append(IncidentUpdated(changes, actor=self.options.author))
        except (OSError, ValueError, RuntimeError) as err:
            self.notify(clean(err, single_line=True), title="Not saved", severity="error")
            return
        self.render_state()

    def action_runbooks(self) -> None:
        """The list of runbooks (shipped and configured)."""
        from cockpit.screens.runbooks import RunbookListScreen

        self.push_screen(RunbookListScreen(self.runbook_set()))

    def runbook_set(self) -> RunbookSet:
        """Every runbook found, loaded once on first use."""
        if self._runbooks is None:
            from cockpit.runbook.validate import default_runbook_dirs, load_runbooks

            self._runbooks = load_runbooks(default_runbook_dirs())
        return self._runbooks

    def on_dashboard_screen_alert_opened(self, message: DashboardScreen.AlertOpened) -> None:
        """Enter on an alert: its runbook, with the alert's labels."""
        from cockpit.screens.runbooks import RunbookView

        runbook = self.runbook_set().get(message.runbook) if message.runbook else None
        if runbook is None:
            self.notify(f"No runbook is mapped to {clean(message.name, single_line=True)}.")
            return
        self.push_screen(RunbookView(runbook, dict(message.labels)))

    def action_timeline(self) -> None:
        """The timeline screen arrives with the scribe and post-mortem work."""
        self.notify("The timeline screen is not available yet in this version.")

    def action_export(self) -> None:
        """The post-mortem export arrives with the scribe and post-mortem work."""
        self.notify("The post-mortem export is not available yet in this version.")

    def action_refresh_sources(self) -> None:
        """Poll every source now."""
        refresh = getattr(self.session, "refresh_now", None)
        if refresh is not None:
            refresh()

    # --- replay transport --------------------------------------------------------------------

    def _player(self) -> Player | None:
        return self.session.player if isinstance(self.session, ReplaySession) else None

    def action_play_pause(self) -> None:
        """Play or pause the replay."""
        if (player := self._player()) is not None:
            player.pause() if player.playing else player.play()
            self.render_state()

    def action_speed(self, faster: bool) -> None:
        """Next speed on the 1x..64x ladder."""
        if (player := self._player()) is not None:
            player.set_speed(next_speed(player.speed, faster))
            self.render_state()

    def action_step(self) -> None:
        """Apply the next event."""
        if (player := self._player()) is not None:
            player.step()
            self.render_state()

    def action_step_human(self) -> None:
        """Jump to the next note, action, incident change or status update."""
        if (player := self._player()) is not None:
            if player.step_human() is None:
                self.notify("No human event after this point.")
            self.render_state()

    def action_seek(self) -> None:
        """Ask for a time and go there."""
        if self._player() is not None and self.transport is not None:
            start = self.transport.start
            if start is not None:
                self.push_screen(SeekDialog(start), self._seek_to)

    def _seek_to(self, when: datetime | None) -> None:
        if when is not None and (player := self._player()) is not None:
            player.seek(when)
            self.render_state()

    def action_rewind(self) -> None:
        """Back to the first event."""
        player = self._player()
        if player is not None and self.transport is not None and self.transport.start is not None:
            player.seek(self.transport.start)
            self.render_state()

    def action_key_help(self) -> None:
        """Every key on one screen."""
        extra = tuple((k.split(",")[0], d) for k, _a, d in REPLAY_KEYS) if self.transport else ()
        self.push_screen(KeyHelp(extra))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every cockpit action in the command palette (ctrl+p)."""
        yield SystemCommand("Add a note", "Write a note into the incident log", self.action_note)
        yield SystemCommand("Incident", "Declare the incident or edit it", self.action_incident)
        yield SystemCommand("Runbooks", "List and open runbooks", self.action_runbooks)
        yield SystemCommand("Timeline", "Human events and changes", self.action_timeline)
        yield SystemCommand("Export", "Post-mortem in Markdown", self.action_export)
        yield SystemCommand("Refresh", "Poll every source now", self.action_refresh_sources)
        yield SystemCommand("Keys", "Every key of the cockpit", self.action_key_help)
        for number, name in enumerate(("alerts", "Kafka lag", "PostgreSQL", "tenant quotas"), 1):
            yield SystemCommand(
                f"Pane {number}: {name}",
                f"Focus the {name} pane",
                lambda n=number: self.dashboard.focus_pane(n),
            )
        yield SystemCommand("Quit", "Quit the cockpit", self.action_request_quit)
        yield from super().get_system_commands(screen)
