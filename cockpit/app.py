"""Thin Textual application: the composition root wiring a session, the screens and the keys."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import signal
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget

from cockpit.appkeys.operator import OperatorKeys
from cockpit.appkeys.replay import REPLAY_KEYS, ReplayKeys
from cockpit.clock import Clock, SystemClock
from cockpit.command.options import CommandOptions
from cockpit.crash import fatal_error
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from cockpit.domain.views import AlertPolicy, NoCatalog
from cockpit.grafana import GrafanaTemplates
from cockpit.hangup import GUARD, REASONS, seal
from cockpit.log.shared import shared_status
from cockpit.permissions import Mode, Permissions
from cockpit.sanitize import clean
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.header import HeaderInfo, StatusBar, header_due
from cockpit.screens.panes.context import PaneContext
from cockpit.screens.safe import plain_str
from cockpit.screens.shadow import Shadow
from cockpit.screens.state import TICK_S, StateAdvanced, is_state_view
from cockpit.session import LiveSession, ReplaySession, Session
from cockpit.ticker import Ticker
from cockpit.typeahead import TypeAhead

if TYPE_CHECKING:
    from datetime import datetime

    from cockpit.domain.state import IncidentState
    from cockpit.log.shared import SharedStatus
    from cockpit.log.watch import FileWatch
    from cockpit.runbook.exec.base import StepTargets
    from cockpit.screens.transport import TransportBar

PUMP_S = 0.25
"""Replay, while playing: how often the playhead moves (paused, the timer is paused too)."""
OTHERS_S = 0.5
"""Live, where the log file cannot be watched (or something else than the file feeds the
session): how often the log is checked for other processes' lines (one stat of its size
when nothing was written). This process's own poll results are folded as they are recorded.
A watched log file wakes the app when it is written to, and the 1 Hz tick checks it too."""
STOP_S = 1.0
"""How long closing the session may take on exit before `log.closed` is written directly."""
IDLE_TICK_S = 30.0
"""The longest the tick sleeps when nothing on view counts seconds (it also checks a
watched log file, in case a write went unreported)."""
DEADLINE_SLACK_S = 0.05
"""How late the tick comes after a source's stale deadline (never early: its status has
turned when the tick looks)."""


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
    permissions: Permissions = field(default_factory=lambda: Permissions.decide(Mode.LIVE))
    """The session's one permission decision (computed by the launcher)."""
    refresh_s: float = 2.0
    author: str = field(default_factory=default_author)
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    command: CommandOptions = field(default_factory=CommandOptions)
    """Incident command: severity scheme and clocks, PagerDuty, status page."""
    targets: Callable[[], StepTargets | None] = field(default=lambda: None)
    """Where runbook steps run (None: every step says which target is not configured).
    A callable because the demo's servers start after the first frame."""
    runbook_dirs: tuple[str, ...] = ()
    """The team's runbook directories (`[runbooks] paths`), besides the shipped ones."""
    grafana: GrafanaTemplates | None = None
    """`[grafana]` link templates: `y` copies the highlighted item's link (None: says so)."""

    @property
    def read_only(self) -> bool:
        """Nothing may change the platform or an outside system (from `permissions`)."""
        return self.permissions.read_only

    @property
    def role(self) -> str:
        """`[user] role` as the permissions saw it (from `permissions`)."""
        return self.permissions.role


def _read_catalog() -> tuple[AlertPolicy | None, str]:
    """The shipped alert catalog, or the one-line reason it could not be read."""
    from cockpit.runbook.catalog import CatalogError, load_catalog

    try:
        return load_catalog(), ""
    except CatalogError as err:
        return None, clean(err, single_line=True)


class CockpitApp(OperatorKeys, ReplayKeys):
    """The cockpit. Screens render slices of the session's folded state; they never poll."""

    TITLE = "cockpit"
    ENABLE_COMMAND_PALETTE = True
    CSS_PATH = str(Path(__file__).resolve().parent / "screens" / "dashboard.tcss")
    """The dashboard's stylesheet (its own `CSS_PATH`): Textual reads a screen's when the screen
    is pushed, and the dashboard is the first screen (`get_default_screen`), never pushed."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "request_quit", "Quit"),
        # Textual's own Ctrl-Q quits without a word: here every quit key asks the same way.
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
        # Textual's default Ctrl-C only hints at Ctrl-Q; on-call hands expect it to quit.
        Binding("ctrl+c", "request_quit", "Quit", show=False),
        # Textual's own Tab binding only fires after the key has bubbled up from the focused
        # widget, by which time keys typed right behind it (a burst over a slow link, a
        # fast typist) were already handed to the old field. Priority moves focus at once.
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
        Binding("question_mark", "key_help", "Help"),
        Binding("n", "note", "Note"),
        Binding("i", "incident", "Incident"),
        Binding("c", "command", "Command"),
        Binding("r", "runbooks", "Runbooks"),
        Binding("a", "acknowledge", "Ack"),
        Binding("t", "timeline", "Timeline", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("S", "silences", "Silences", show=False),
        Binding("ctrl+r", "refresh_sources", "Refresh", show=False),
    ]

    _signal_loop: asyncio.AbstractEventLoop | None = None
    """The loop signals are handed to (set on mount)."""
    _quitting = False
    """True once the session is being closed (a second quit or signal does nothing)."""

    _fatal_error = fatal_error  # crash report without locals, secrets redacted (cockpit.crash)

    def __init__(self, session: Session, options: AppOptions, *, clock: Clock | None = None):
        super().__init__()
        self._shadow = Shadow()
        self.session = session
        self.options = options
        self.clock = clock or SystemClock()
        self.policy: AlertPolicy = NoCatalog()
        self.catalog_read = False
        """The catalog was read (or failed to be): a big alert set waits for it (`PaneContext`)."""
        self.status_bar = StatusBar(options.header)
        self.transport: TransportBar | None = None
        header: Widget = self.status_bar
        if isinstance(session, ReplaySession):
            # Replay only: the player and its index stay off the live path to the first frame.
            from cockpit.screens.transport import TransportBar

            self.transport = TransportBar(session.player)
            header = Vertical(self.status_bar, self.transport, id="top-bars")
            for keys, action, description in REPLAY_KEYS:
                self.bind(keys, action, description=description)
        self.dashboard = DashboardScreen(header=header)
        self._posted = -1
        """The last revision announced by `StateAdvanced`."""
        self._pump_timer: Timer | None = None
        self._ticker = Ticker(TICK_S, self._tick, self._handle_exception)
        """The 1 Hz tick; a render shows the time too and pushes it back a second."""
        self._watch: FileWatch | None = None
        self._following = False
        self._ticked: datetime | None = None
        """The time of the last tick (a paused replay's time stands still: nothing to do)."""
        self._trapped: list[signal.Signals] = []
        self._typeahead = TypeAhead(self, super().on_event)

    @property
    def grafana(self) -> GrafanaTemplates | None:
        """The Grafana link templates `y` fills (screens ask when the key is pressed)."""
        return self.options.grafana

    @property
    def step_targets(self) -> StepTargets | None:
        """Where runbook steps run (the runbook screen asks when it opens)."""
        return self.options.targets()

    # --- life cycle ------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the first screen, the one every other returns to. (Pushed over
        Textual's blank default screen, that screen was laid out and drawn for nothing and
        kept for the life of the app: 0.2 MB.)"""
        return self.dashboard

    def on_mount(self) -> None:
        """Show the dashboard now; load the catalog and start the session after the frame."""
        self._trap_signals()
        self.render_state()
        self.call_after_refresh(self._start)

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal go through the type-ahead queue (one in flight at a time)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._typeahead.arrived(event)
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls each class's `_on_key` in turn (this one, then App's, which runs the
        # bindings): no super() call here, or every binding would run twice.
        self._typeahead.finished(event)

    def _trap_signals(self) -> None:
        """SIGTERM, SIGINT and SIGHUP (an SSH drop) quit like `q` without asking: the log
        gets `log.closed` with the reason and the terminal is restored.

        Launched from the command line, the process's exit guard (installed before the log
        was opened) already handles them: the app only attaches to it, and learns at once
        of a signal that came during startup. In-process (tests), asyncio handlers do it."""
        self._signal_loop = asyncio.get_running_loop()
        if GUARD.installed:
            GUARD.attach(self._on_signal)
            return
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                self._signal_loop.add_signal_handler(sig, self._on_signal, REASONS[sig])
                self._trapped.append(sig)

    def _on_signal(self, reason: str = "sigterm") -> None:
        """Close with `reason` and exit; safe from a signal handler or another thread."""
        loop = self._signal_loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.call_later, self._close_and_exit, reason)

    def on_unmount(self) -> None:
        """Give the signals back (tests run several apps in one process); stop the tick and
        the log watch."""
        self._ticker.stop()
        self._unwatch()
        GUARD.detach()
        loop = asyncio.get_running_loop()
        for sig in self._trapped:
            loop.remove_signal_handler(sig)
        self._trapped.clear()

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        # Only the cells that differ from what the terminal shows are sent (screens/shadow.py):
        # a row whose age ticked is a few cells, not a row.
        super()._display(screen, self._shadow.wrap(self, screen, renderable))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages quote names, labels and errors from
        outside, so markup is never parsed (`markup` is accepted and ignored)."""
        super().notify(
            plain_str(message), title=plain_str(title, single_line=True), severity=severity,
            timeout=timeout, markup=False,
        )  # fmt: skip

    async def _start(self) -> None:
        from cockpit import codecache, gcpause

        gcpause.settle()  # the first frame is drawn: collect again, startup objects frozen
        # Off the UI thread, import included (yaml and the catalog's model take a good part
        # of a second on a busy host): keys work meanwhile.
        policy, problem = await asyncio.to_thread(_read_catalog)
        self.catalog_read = True
        # Startup's classes are all built now: keep their compiled methods for the next start
        # (only when this one compiled any; atexit would miss a hung-up or killed session).
        codecache.release()
        if policy is not None:
            self.policy = policy
        if problem:
            self.notify(problem, title="Alert catalog", severity="error")
        if self._quitting:  # quit, or a signal, before the first frame: nothing to start
            return
        await self.session.start()
        self._follow()
        # A screen shown again (the one under a closed dialog or screen) gets the state it
        # missed while hidden: one compare when the stack changes, no polling.
        self.screen_change_signal.subscribe(self, lambda _screen: self.advance())
        self.render_state()

    def _follow(self) -> None:
        """Start reading the log: a replay's playhead, or other writers and our own polls.
        A live log file that only its writers change is watched (inotify): a line another
        cockpit appends wakes the app at once, and no timer checks the file meanwhile."""
        self._following = True
        replay = self._player()
        if replay is not None or not self._watch_log():
            self._pump_timer = self.set_interval(PUMP_S if replay else OTHERS_S, self._pump)
        self._wake()
        if isinstance(self.session, LiveSession):
            self.session.listener = self._pump

    def _watch_log(self) -> bool:
        """Watch the session's log file when the session says the file is all that changes
        it between polls; False where it cannot be watched (the pump timer then runs)."""
        path = self.session.watch_path() if isinstance(self.session, LiveSession) else None
        if path is None:
            return False
        from cockpit.log.watch import FileWatch

        watch = FileWatch.open(path)
        if watch is None:
            return False
        self._watch = watch
        asyncio.get_running_loop().add_reader(watch.fileno(), self._log_written)
        return True

    def _log_written(self) -> None:
        """The watched log file was written to (by us or another process): read it."""
        if self._watch is not None and self._watch.drain():
            self._pump()

    def _unwatch(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            with contextlib.suppress(RuntimeError, ValueError, OSError):
                asyncio.get_running_loop().remove_reader(watch.fileno())
            watch.close()

    def _wake(self) -> None:
        """The pump and the 1 Hz tick run only while time moves: a paused or finished replay
        wakes the process for nothing until space is pressed."""
        if not self._following:
            return  # the session has not started: `_follow` wakes them
        player = self._player()
        moving = player is None or player.playing
        if self._pump_timer is not None:
            self._pump_timer.resume() if moving else self._pump_timer.pause()
        if moving and not self._ticker.running:
            self._ticker.start()
        elif not moving:
            self._ticker.stop()

    def _pump(self) -> None:
        """Read what is new; announce it once (`StateAdvanced` coalesces a burst)."""
        if not self._quitting:
            self.session.pump()
            self.advance()
        player = self._player()
        if player is not None and not player.playing:
            self._wake()  # the end of the log, or paused: no wake-ups
        for line in getattr(self.session, "take_damage", list)():  # live only (logdamage)
            self.notify(
                clean(line), title="Incident log", severity="error", timeout=30, markup=False
            )

    def advance(self) -> None:
        """Post `StateAdvanced` when the state moved since the last one, or when the active
        screen (just resumed) has not seen the current revision. One integer compare each."""
        revision = self.session.revision
        behind = getattr(self._shown_screen(), "revision", revision)
        if revision != self._posted or behind != revision:
            self._posted = revision
            self.post_message(StateAdvanced(revision))

    def on_state_advanced(self, message: StateAdvanced) -> None:
        """The log advanced: render the active screen once (a burst arrives as one)."""
        self.render_state()

    def render_state(self) -> None:
        """Hand the current state to the active screen (and the bars above the dashboard)."""
        try:
            now = self.session.now()
        except RuntimeError:
            return
        state, revision = self.session.state, self.session.revision
        self._posted = revision
        shared = shared_status(getattr(self.session, "log", None))
        self.status_bar.show(state, now, self.options.refresh_s, shared)
        if self.transport is not None:
            self.transport.show()
        # The dashboard always follows (it is the screen every other one returns to); Textual
        # paints it only while it is on view.
        self.dashboard.refresh_from(self._pane_context(state, now, revision))
        screen = self._shown_screen()
        if screen is not self.dashboard and is_state_view(screen):
            # A screen still composing its children, or being torn down, has not all of its
            # widgets: it renders the state of then in its own on_mount, or is going away.
            with contextlib.suppress(NoMatches):
                screen.show_state(state, now, revision)
        # This render shows `now`: the next tick is a second from here, or later still.
        self._ticker.defer(self._tick_due(screen, state, now, shared))

    def _tick_due(
        self,
        screen: Screen[object] | None,
        state: IncidentState,
        now: datetime,
        shared: SharedStatus | None,
    ) -> float | None:
        """Seconds until the next tick: None (1 Hz) unless the live dashboard is on view on
        the wall clock and nothing on it counts seconds (no alert listed, no incident clock,
        no stale source); then when its first healthy source would turn stale, at most
        `IDLE_TICK_S`. An idle bastion wakes at each poll, not every second as well."""
        if type(self.session) is not LiveSession or screen is not self.dashboard:
            return None  # a replay, a drill's scaled clock, or a screen with its own clocks
        dues = (header_due(state, now, self.options.refresh_s, shared), self.dashboard.time_due())
        due = min((d for d in dues if d is not None), default=IDLE_TICK_S)
        # A source's deadline is met a little late, never early: its status has turned by then.
        return None if due <= TICK_S else min(due + DEADLINE_SLACK_S, IDLE_TICK_S)

    def _shown_screen(self) -> Screen[object] | None:
        """The screen on view: the top one, or the one under a dialog (dialogs are modal).
        None while it is still being composed: its `on_mount` renders the state of then, and
        a state handed over before would query widgets that do not exist yet."""
        for screen in reversed(self.screen_stack):
            if not isinstance(screen, ModalScreen):
                shown: Screen[object] = screen
                return shown if shown.is_mounted else None
        return None

    def _pane_context(self, state: IncidentState, now: datetime, revision: int) -> PaneContext:
        options = self.options
        return PaneContext(state, now, options.thresholds, self.policy, options.refresh_s, revision,
                           catalog_pending=not self.catalog_read,
                           replay=self._player() is not None)  # fmt: skip

    def _tick(self) -> float | None:
        """1 Hz: only the visible ages and clocks move (header, transport, the screen's own).
        With a watched log, it also checks the file (a write the watch did not report).
        Returns the seconds until the next tick (None: one second)."""
        if self._watch is not None:
            self._pump()
        try:
            now = self.session.now()
        except RuntimeError:
            return None
        if now == self._ticked:
            return None
        self._ticked = now
        state = self.session.state
        shared = shared_status(getattr(self.session, "log", None))
        self.status_bar.show(state, now, self.options.refresh_s, shared)
        if self.transport is not None:
            self.transport.show()
        screen = self._shown_screen()
        if is_state_view(screen):
            with contextlib.suppress(NoMatches):  # composing or torn down (see render_state)
                screen.show_time(now)
        return self._tick_due(screen, state, now, shared)

    async def action_request_quit(self) -> None:
        """Quit; ask first while an incident is open."""
        incident = self.session.state.incident
        if incident is not None and incident.state == "open" and self.session.writable:
            question = (
                f"Incident {clean(incident.incident_id, single_line=True)} is still open. "
                "Quit the cockpit anyway? The log stays on disk and can be reopened."
            )
            from cockpit.screens.dialogs import ConfirmDialog

            self.push_screen(ConfirmDialog(question, yes="Quit"), self._quit_if)
            return
        await self._close_and_exit()

    async def _quit_if(self, answer: bool | None) -> None:
        if answer:
            await self._close_and_exit()

    async def _close_and_exit(self, reason: str = "quit") -> None:
        # Not named `_shutdown`: that would override Textual's own teardown, which then
        # never ran after a crash (exit code 0, traceback lost).
        if self._quitting:
            return
        self._quitting = True
        session = self.session
        stop = session.stop(reason) if isinstance(session, LiveSession) else session.stop()
        try:
            await asyncio.wait_for(stop, STOP_S)
        except Exception:  # a stuck or failing source must not keep the log open
            seal(session, reason)
        self.exit(0)

    def action_key_help(self) -> None:
        """Every key on one screen."""
        extra = tuple((k.split(",")[0], d) for k, _a, d in REPLAY_KEYS) if self.transport else ()
        from cockpit.screens.dialogs import KeyHelp

        self.push_screen(KeyHelp(extra))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every cockpit action in the command palette (ctrl+p)."""
        yield SystemCommand("Add a note", "Write a note into the incident log", self.action_note)
        yield SystemCommand("Incident", "Declare the incident or edit it", self.action_incident)
        yield SystemCommand(
            "Acknowledge", "Acknowledge the incident (and in PagerDuty)", self.action_acknowledge
        )
        yield SystemCommand("Resolve", "Resolve the incident", self.action_resolve)
        yield SystemCommand(
            "Incident command", "Roles, checklist, clocks, paging, status", self.action_command
        )
        yield SystemCommand("Runbooks", "List and open runbooks", self.action_runbooks)
        yield SystemCommand("Timeline", "Human events and changes", self.action_timeline)
        yield SystemCommand("Export", "Post-mortem in Markdown", self.action_export)
        yield SystemCommand("Silences", "Alertmanager silences; expire one", self.action_silences)
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
