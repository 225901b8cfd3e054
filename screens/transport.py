"""The replay transport bar: play/pause, speed, step, seek, and where the replay stands."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cockpit import gcpause
from cockpit.clock import parse_when
from cockpit.domain.sla import compact_duration
from cockpit.log.player import (
    MAX_SPEED,
    MIN_SPEED,
    Player,
    Position,
    PreparedSeek,
)
from cockpit.log.verify import VerifyReport, verify_with_env_key
from cockpit.sanitize import clean
from cockpit.screens.foreground import busy as foreground_busy
from cockpit.screens.foreground import wait_until_idle

SPEEDS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
FOLD_DELAY_S = 0.3
"""The background fold starts this long after the first frame (which must not share the CPU)."""
SWITCH_INTERVAL_S = 0.001
FOLD_WAIT_AT_MOST_S = 5.0
"""The longest the background fold waits for the panes to build their first rows."""


def transport_text(
    position: Position,
    start: datetime | None,
    verdict: VerifyReport | None = None,
    seeking: datetime | None = None,
) -> Text:
    """One line: state, speed, virtual time (and T+ from the first event), seq, keys; a log
    that failed `cockpit verify` is flagged first, a seek still folding is named."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if verdict is not None and not verdict.ok:
        text.append(" ⚠ LOG FAILS VERIFICATION ", "bold white on red")
    if position.error:
        text.append(" ✖ DAMAGED ", "bold white on red")
    elif position.at_end:
        text.append(" ■ END ", "bold black on magenta")
    elif position.playing:
        text.append(" ▶ PLAY ", "bold black on green")
    else:
        text.append(" ❚❚ PAUSED ", "bold black on yellow")
    text.append(f" {position.speed:g}x ", "bold")
    when = position.virtual_time
    if when is not None:
        text.append(f" {when:%Y-%m-%d %H:%M:%S}Z")
        if start is not None:
            text.append(f" (T+{compact_duration((when - start).total_seconds())})", "dim")
    total = f"/{position.total}" if position.total else ""
    text.append(f"  seq {position.seq}{total}", "dim")
    if seeking is not None:
        text.append(f"  going to {seeking:%Y-%m-%d %H:%M:%S}Z…", "bold")
    if position.error:
        text.append(f"  {position.error}", "red")
    text.append("   space play/pause  -/+ speed  . step  ] next human event  g go to", "dim")
    return text


_IDLE_CODES = frozenset(
    cls.select.__code__
    for cls in vars(selectors).values()
    if isinstance(cls, type) and issubclass(cls, selectors.BaseSelector) and "select" in vars(cls)
)
"""The selectors' `select`: the UI thread waiting there has nothing to do."""
YIELD_S, YIELD_AT_MOST_S = 0.001, 0.05


def ui_first(ui: threading.Thread) -> Callable[[], None]:
    """A courtesy for the background fold: while the UI thread runs code (a key, a repaint)
    the fold sleeps, up to YIELD_AT_MOST_S at a time, instead of sharing the interpreter
    with it one switch interval each (which made a key wait 2 to 3 times its own work).
    It sleeps as well while a pane builds its rows on a thread (`foreground`)."""

    def courtesy() -> None:
        waited = 0.0
        while waited < YIELD_AT_MOST_S:
            frame = sys._current_frames().get(ui.ident or 0)
            if frame is None or (frame.f_code in _IDLE_CODES and not foreground_busy()):
                return
            time.sleep(YIELD_S)
            waited += YIELD_S

    return courtesy


class TransportBar(Static):
    """Shows the player's position; the keys live on the app while replaying."""

    DEFAULT_CSS = """
    TransportBar { height: 1; background: $boost; }
    """

    def __init__(self, player: Player) -> None:
        super().__init__("", id="transport")
        self.player = player
        self.start = player.start
        """Time of the first event (T+0 of the replay)."""
        self._last: Text | None = None
        self.verdict: VerifyReport | None = None
        """`cockpit verify` of the replayed log, once the background check has finished."""
        self._generation = 0
        self._seeking: datetime | None = None
        self._done: Callable[[], None] | None = None
        self._superseded = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None

    class Verified(Message):
        """The background verification of the replayed log finished."""

        def __init__(self, report: VerifyReport) -> None:
            super().__init__()
            self.report = report

    class Seeked(Message):
        """A seek folded in a worker is ready to be installed."""

        def __init__(self, prepared: PreparedSeek, generation: int) -> None:
            super().__init__()
            self.prepared = prepared
            self.generation = generation

    def on_mount(self) -> None:
        """After the first frame: fold the whole log in a thread (checkpoints for seeks, the
        final state for the timeline), then verify it (a replay of a damaged log says so).
        One thread after the other: they would only slow each other down."""
        self._stop = threading.Event()
        self.call_after_refresh(self.set_timer, FOLD_DELAY_S, self._start_background)

    def _start_background(self) -> None:
        # A CPU-bound thread holds the GIL for the switch interval (5 ms by default) each
        # time the UI thread asks for it back: at 1 ms, keys and repaints barely notice it.
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        threading.Thread(target=self._background, name="replay-background", daemon=True).start()

    def on_unmount(self) -> None:
        """Stop the background fold and the verification."""
        self._stop.set()
        if self._child is not None and self._child.poll() is None:
            self._child.kill()

    class Folded(Message):
        """The background fold reached the end of the log (the total is known)."""

    def _background(self) -> None:
        # A big observation is folded in one go (no courtesy inside): start once the panes
        # hold their first rows, rather than share the interpreter with their builds.
        wait_until_idle(self._stop, FOLD_WAIT_AT_MOST_S)
        # Where the playhead's own fold left off (`replay --at` folded up to there), not
        # folded a second time. Copying it here, not on the UI thread: at 10,000 alerts and
        # 2,000 consumer groups the copy held the loop for 25-60 ms.
        start = self.player.resume_point()
        self.player.build_checkpoints(self._stop, ui_first(threading.main_thread()), start)
        gcpause.refreeze()  # the checkpoints live as long as the replay
        if not self._stop.is_set():
            self.post_message(self.Folded())
            self.post_message(self.Verified(self._verify_elsewhere()))

    def _verify_elsewhere(self) -> VerifyReport:
        """`cockpit verify` in a child process: in this one it would hold the GIL the keys
        and repaints need for seconds. In this thread if the child cannot run."""
        code = (
            "import dataclasses, json, sys\n"
            "from cockpit.log.verify import verify_with_env_key\n"
            "print(json.dumps(dataclasses.asdict(verify_with_env_key(sys.argv[1]))))"
        )
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-c", code, str(self.player.path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
            out, _ = self._child.communicate()
            fields = json.loads(out)
            fields["warnings"] = tuple(fields["warnings"])
            return VerifyReport(**fields)
        except (OSError, ValueError, TypeError, KeyError):
            return verify_with_env_key(self.player.path)

    def on_transport_bar_folded(self, _message: Folded) -> None:
        """Show the log's total now that it is known."""
        self.show()

    def seek(self, when: datetime, done: Callable[[], None]) -> None:
        """Go to `when` and call `done` once the player shows it. Near a checkpoint that is at
        most `checkpoint_every` events, folded here; otherwise the fold runs in a worker
        thread and keys stay live meanwhile (a later seek supersedes this one)."""
        self._generation += 1
        generation = self._generation
        self._superseded.set()
        if self.player.covered(when):  # a checkpoint is near: a thread would cost more
            self.player.seek(when)
            self._seeking = None
            self.show()
            done()
            return
        here = self.player.here()
        self._seeking, self._done = when, done
        stop = self._superseded = threading.Event()

        def work() -> None:
            prepared = self.player.prepare_seek(when, here, stop)
            self.post_message(self.Seeked(prepared, generation))

        threading.Thread(target=work, name="replay-seek", daemon=True).start()
        self.show()

    def on_transport_bar_seeked(self, message: Seeked) -> None:
        """Install the newest seek's fold and let the app render it."""
        if message.generation != self._generation:
            return
        self.player.adopt(message.prepared)
        self._seeking = None
        self.show()
        if self._done is not None:
            self._done()

    def on_transport_bar_verified(self, message: Verified) -> None:
        """Keep the verdict; a failed one is flagged in the bar and notified."""
        report = self.verdict = message.report
        if not report.ok:
            text = clean(f"This replay shows a log that failed verification: {report.summary}")
            self.app.notify(text, title="Incident log", severity="error", timeout=30, markup=False)
        self.show()

    def show(self) -> None:
        """Repaint only when the line changed."""
        text = transport_text(self.player.position, self.start, self.verdict, self._seeking)
        if text != self._last:
            self._last = text
            self.update(text, layout=False)  # one fixed line: no relayout of the screen


def next_speed(speed: float, faster: bool) -> float:
    """The next step on the 1x..64x ladder."""
    if faster:
        return next((s for s in SPEEDS if s > speed), MAX_SPEED)
    return next((s for s in reversed(SPEEDS) if s < speed), MIN_SPEED)


class SeekDialog(ModalScreen[datetime | None]):
    """Ask where to go: an RFC 3339 time or T+mm:ss from the first event."""

    DEFAULT_CSS = """
    SeekDialog { align: center middle; }
    SeekDialog > Vertical {
        width: 60; max-width: 100%; height: auto; border: thick $accent; background: $surface;
    }
    SeekDialog #seek-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self._start = start

    def compose(self) -> ComposeResult:
        """A label, the input, an error line."""
        with Vertical():
            yield Label("Go to (T+mm:ss, T+hh:mm:ss or 2026-11-23T03:12:00Z)")
            yield Input(placeholder="T+05:00", id="seek")
            yield Static("", id="seek-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Close with the parsed time, or say what is wrong."""
        try:
            self.dismiss(parse_when(event.value, self._start))
        except ValueError as err:
            self.query_one("#seek-error", Static).update(Text(str(err)))

    def action_cancel(self) -> None:
        """Stay where the replay is."""
        self.dismiss(None)
