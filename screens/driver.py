"""Textual's Linux driver, made to notice a lost terminal: EOF or EIO means hangup.

Textual 8's input thread reads EOF from a closed terminal in a loop (100 % CPU) and its
writer thread dies on EIO, after which the app blocks forever on a full output queue. Here a
closed input ends the input thread and starts the process's hangup exit, and output to a
gone terminal is dropped instead of blocking.

Textual's input thread also wakes ten times a second to look for a half-read escape
sequence. Here it sleeps in `select` until a key arrives, waking on a timer only while a
sequence is pending; stopping input wakes it through a pipe.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import threading
from codecs import getincrementaldecoder
from typing import TYPE_CHECKING, Any, TextIO

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

from cockpit.hangup import GUARD, HANGUP
from cockpit.screens.shadow_write import Carry

if TYPE_CHECKING:
    from textual.app import App

READ_SIZE = 4096
PENDING_TICK_S = 0.1
"""At most this long between checks while an escape sequence is half read."""


class TerminalOut:
    """The terminal's output file; once a write fails, everything after is dropped."""

    def __init__(self, file: TextIO, on_lost: Any) -> None:
        self._file = file
        self._on_lost = on_lost
        self.lost = False

    def write(self, text: str) -> None:
        """Write, or drop once the terminal is gone."""
        if not self.lost:
            try:
                self._file.write(text)
            except (OSError, ValueError):
                self._lose()

    def flush(self) -> None:
        """Flush, or nothing once the terminal is gone."""
        if not self.lost:
            try:
                self._file.flush()
            except (OSError, ValueError):
                self._lose()

    def fileno(self) -> int:
        """The terminal's descriptor."""
        return self._file.fileno()

    def isatty(self) -> bool:
        """Whether the file is a terminal (False once it is gone)."""
        return not self.lost and self._file.isatty()

    def _lose(self) -> None:
        self.lost = True
        self._on_lost()


class WakingEvent(threading.Event):
    """The input thread's stop flag; setting it also wakes the thread from `select`."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd

    def set(self) -> None:
        """Set the flag, then wake the reader (in that order: it wakes to a set flag)."""
        super().set()
        with contextlib.suppress(OSError):
            os.write(self._wake_fd, b"!")


class HangupDriver(LinuxDriver):
    """LinuxDriver whose end of input or output is the hangup of the process."""

    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        out = self._file
        if out is not None:
            self._file = TerminalOut(out, self._terminal_lost)  # type: ignore[assignment]
        self._wake_r, self._wake_w = os.pipe()
        self.exit_event = WakingEvent(self._wake_w)
        self.carry = Carry()
        """The SGR a frame left in force (screens/shadow_write.py)."""

    def write(self, data: str) -> None:
        """Write `data`, after an SGR reset unless it is the frame the shadow expects."""
        super().write(self.carry.outgoing(data))

    def _terminal_lost(self) -> None:
        if GUARD.installed:
            GUARD.trigger(HANGUP)

    def run_input_thread(self) -> None:
        """Read keys until asked to stop; EOF or EIO on a terminal is a hangup (not a spin)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not self.exit_event.is_set():
                for key, _mask in selector.select(_timeout(parser)):
                    if key.fd == self._wake_r:
                        _drain(self._wake_r)  # stop asked: the loop test sees exit_event
                        continue
                    try:
                        data = os.read(self.fileno, READ_SIZE)
                    except OSError:  # EIO: the terminal went away
                        data = b""
                    if not data:
                        if self.input_tty:
                            self._terminal_lost()
                        return  # piped stdin at its end: no more keys, but no spinning
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()


def _timeout(parser: XTermParser) -> float | None:
    """None (sleep until input) unless a half-read sequence has a deadline to meet."""
    deadline: float | None = getattr(parser, "_timeout_time", PENDING_TICK_S)
    if deadline is None:
        return None
    if not isinstance(deadline, float | int):
        return PENDING_TICK_S  # a Textual without the field: its own cadence
    return min(PENDING_TICK_S, max(0.0, deadline - get_time()))


def _drain(fd: int) -> None:
    os.set_blocking(fd, False)
    with contextlib.suppress(OSError):
        while os.read(fd, 64):
            pass
