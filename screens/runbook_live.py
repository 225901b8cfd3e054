"""The results panel's live view: the output of a running `exec` step, as it comes."""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from cockpit.runbook.exec.stream import OutputStream
from cockpit.sanitize import clean

REFRESH_S = 0.25
"""Often enough to feel live, rarely enough to write nothing while the command is quiet."""
TAIL_LINES = 15


class LiveOutput(Static):
    """Shows the newest lines of one running command; hidden when nothing streams.

    The worker thread only writes into the `OutputStream` (thread-safe, bounded, already
    sanitised); this widget reads it on a timer on the UI thread, so a chatty command
    costs at most one repaint per tick.
    """

    DEFAULT_CSS = """
    LiveOutput { height: auto; max-height: 18; border: round $warning; display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stream: OutputStream | None = None
        self._title = ""
        self._seen = -1
        self._timer: Timer | None = None

    @property
    def streaming(self) -> bool:
        """True while a command's output is being shown."""
        return self._stream is not None

    def start(self, title: str, stream: OutputStream) -> None:
        """Follow `stream` until `stop`."""
        self._stream, self._title, self._seen = stream, clean(title, single_line=True), -1
        self.display = True
        self.refresh_output()
        if self._timer is None:
            self._timer = self.set_interval(REFRESH_S, self.refresh_output)

    def stop(self) -> None:
        """The step finished: its full result is in the list below (from the log)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._stream = None
        self.display = False
        self.update("")

    def refresh_output(self) -> None:
        """Repaint only when new lines arrived."""
        stream = self._stream
        if stream is None:
            return
        total = stream.total
        if total == self._seen:
            return
        self._seen = total
        text = Text(f"▶ {self._title}: running, {total} lines so far\n", style="bold yellow")
        text.append("\n".join(stream.tail(TAIL_LINES)))
        self.update(text)
