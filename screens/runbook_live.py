"""A step run on a worker, and the results panel's live view of a running `exec` step.

`run_on_worker` is the body of the runbook screen's worker: it drives the core `StepRun`,
appends its events on the app's thread, asks the confirmation with a dialog, and tells the
screen what happened through past-tense messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from cockpit.actions.step_drive import StepOutcome, drive
from cockpit.actions.step_run import Answer, StepRun
from cockpit.actions.step_where import Confirmation
from cockpit.log.events import Payload
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.params import BoundParams, ParamError
from cockpit.sanitize import clean
from cockpit.screens.runbook_dialogs import MitigationDialog

ASK_POLL_S = 0.2
"""How often a worker waiting on a confirmation checks that it was not cancelled."""
TAIL_LINES = 15


class OutputGrew(Message):
    """A running command wrote more lines (a burst arrives as one message)."""

    def can_replace(self, message: Message) -> bool:
        """A queued `OutputGrew` says nothing this one does not."""
        return isinstance(message, OutputGrew)


class PostingStream(OutputStream):
    """An `OutputStream` that tells `target` when lines arrive: one `OutputGrew` until the
    UI has read them, however chatty the command (written by the reader thread)."""

    def __init__(self, target: MessagePump) -> None:
        super().__init__()
        self._target = target
        self._unread = False

    def add(self, raw: str) -> str:
        """Keep the line; post `OutputGrew` unless one is already waiting to be read."""
        line = super().add(raw)
        if not self._unread:
            self._unread = True
            self._target.post_message(OutputGrew())
        return line

    def mark_read(self) -> None:
        """The UI is about to read: the next line posts again (cleared before reading)."""
        self._unread = False


class LiveOutput(Static):
    """Shows the newest lines of one running command; hidden when nothing streams.

    The worker thread only writes into the `OutputStream` (thread-safe, bounded, already
    sanitised) and posts `OutputGrew`; this widget reads it when that message arrives, so a
    chatty command costs one repaint per burst and a quiet one nothing.
    """

    DEFAULT_CSS = """
    LiveOutput { height: auto; max-height: 18; border: round $warning; display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stream: OutputStream | None = None
        self._title = ""
        self._seen = -1

    @property
    def streaming(self) -> bool:
        """True while a command's output is being shown."""
        return self._stream is not None

    def start(self, title: str, stream: OutputStream) -> None:
        """Follow `stream` until `stop`."""
        self._stream, self._title, self._seen = stream, clean(title, single_line=True), -1
        self.display = True
        self.refresh_output()

    def stop(self) -> None:
        """The step finished: its full result is in the list below (from the log)."""
        self._stream = None
        self.display = False
        self.update("")

    def refresh_output(self) -> None:
        """Repaint only when new lines arrived."""
        stream = self._stream
        if stream is None:
            return
        if isinstance(stream, PostingStream):
            stream.mark_read()
        total = stream.total
        if total == self._seen:
            return
        self._seen = total
        text = Text(f"▶ {self._title}: running, {total} lines so far\n", style="bold yellow")
        text.append("\n".join(stream.tail(TAIL_LINES)))
        self.update(text)


class StepStarted(Message):
    """A confirmed step began executing; `stream` carries an `exec` step's output."""

    def __init__(self, title: str, stream: OutputStream | None) -> None:
        super().__init__()
        self.title, self.stream = title, stream


class StepFinished(Message):
    """A step run ended: ran, refused, cancelled, or could not be logged."""

    def __init__(self, outcome: StepOutcome) -> None:
        super().__init__()
        self.outcome = outcome


def run_on_worker(
    screen: Screen[None],
    run: StepRun,
    bound: BoundParams | ParamError,
    detected_at: datetime | None,
    append: Callable[[Payload], object],
) -> None:
    """Drive `run` to its end (on a worker thread); `append` is called on the app's thread."""
    app = screen.app
    stream = PostingStream(screen) if run.step.kind == "exec" else None
    try:
        outcome = drive(
            run,
            bound,
            confirm=lambda asked: ask_on_worker(screen, asked),
            append=lambda event: app.call_from_thread(append, event),
            detected_at=detected_at,
            stream=stream,
            started=lambda r: screen.post_message(StepStarted(r.step.title, stream)),
        )
    except Exception as err:  # a bug in a step run must not take the cockpit down mid-incident
        problem = clean(f"{type(err).__name__}: {err}", single_line=True, max_len=200)
        outcome = StepOutcome(run.run_id, run.step.id, run.phase, "failed", problem)
    screen.post_message(StepFinished(outcome))


def ask_on_worker(screen: Screen[None], asked: Confirmation) -> Answer:
    """The UI's confirmer: show the dialog on the app's thread and wait for its answer
    (None when the worker is cancelled, e.g. the app quits)."""
    answered, box = threading.Event(), list[Answer]()

    def done(answer: Answer) -> None:
        box.append(answer)
        answered.set()

    screen.app.call_from_thread(screen.app.push_screen, MitigationDialog(asked), done)
    worker = get_current_worker()
    while not answered.wait(ASK_POLL_S):
        if worker.is_cancelled:
            return None
    return box[0]
