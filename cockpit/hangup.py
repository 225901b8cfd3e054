"""Process exits: SIGHUP, SIGTERM, SIGINT and a lost terminal end the cockpit, log sealed.

One guard per process, installed by the launcher before the log is opened. A signal, the
terminal hanging up (seen by a watch on stdin) or the terminal driver reading the end of its
input is recorded with a reason; the app, once attached, closes the session and exits. A
watchdog makes sure the process is gone within `GRACE_S` whatever is stuck: it seals the log
itself and ends the process. Signal handlers only set flags and events (no thread is started
and no log lock taken inside one), so a signal can never deadlock the main thread.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import stat
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.log.store import IncidentLog

REASONS: dict[int, str] = {
    signal.SIGHUP: "hangup",
    signal.SIGTERM: "sigterm",
    signal.SIGINT: "sigint",
}
"""`log.closed` reasons by signal; `quit` is the operator's own q, Ctrl-Q or Ctrl-C."""
HANGUP = "hangup"
GRACE_S = 1.5
"""Time the orderly exit gets before the watchdog seals the log and ends the process."""
HANGUP_GRACE_S = 0.9
"""The same after a hangup: there is no terminal to restore, and the process must be gone
within 2 s of losing it."""
SEAL_WAIT_S = 0.3

ExitFn = Callable[[int], object]
ReasonFn = Callable[[str], None]


class ExitGuard:
    """Turns termination signals and hangups into one orderly exit, with a deadline."""

    def __init__(
        self,
        *,
        grace_s: float = GRACE_S,
        hangup_grace_s: float = HANGUP_GRACE_S,
        exit_fn: ExitFn = os._exit,
    ) -> None:
        self.grace_s = grace_s
        self.hangup_grace_s = hangup_grace_s
        self.reason: str | None = None
        """Why the process is ending (None while nobody asked)."""
        self.installed = False
        self._exit_fn = exit_fn
        self._on_exit: ReasonFn | None = None
        self._seal: ReasonFn | None = None
        self._code = 0
        self._fired = threading.Event()
        self._now = threading.Event()
        self._watchdog_thread: threading.Thread | None = None
        self._cleanups: list[Callable[[], None]] = []

    def install(self, terminal_fd: int | None = 0) -> None:
        """Handle SIGHUP, SIGTERM and SIGINT from now on, and watch the terminal on
        `terminal_fd` for a hangup (main thread only; idempotent)."""
        if self.installed:
            return
        self._start_watchdog()  # before any handler: a handler must not start a thread
        for signum in REASONS:
            signal.signal(signum, self._handle)
        self.installed = True
        if terminal_fd is not None and _is_terminal(terminal_fd):
            self.watch_terminal(terminal_fd)

    def watch_terminal(self, fd: int) -> None:
        """A thread that sees the terminal on `fd` hang up, without reading from it.

        No SIGHUP comes when the terminal was not our controlling one (a pty handed over by
        a parent), and Textual's input thread only starts after the imports and the log."""
        threading.Thread(
            target=self._watch, args=(fd,), name="cockpit-terminal-watch", daemon=True
        ).start()

    def uninstall(self) -> None:
        """Default handlers again (tests)."""
        if self.installed:
            for signum in REASONS:
                signal.signal(signum, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.installed = False

    def attach(self, on_exit: ReasonFn) -> None:
        """`on_exit(reason)` starts the orderly exit (thread-safe; called at once when a
        reason is already known)."""
        self._on_exit = on_exit
        if self.reason is not None:
            on_exit(self.reason)

    def detach(self) -> None:
        """No orderly exit to start any more (the app has stopped)."""
        self._on_exit = None

    def seal_with(self, seal: ReasonFn | None) -> None:
        """What the watchdog calls to write `log.closed` when the orderly exit is stuck."""
        self._seal = seal

    def cleanup_with(self, cleanup: Callable[[], None]) -> None:
        """Also run `cleanup` (child servers) in the last resort, after sealing the log."""
        self._cleanups.append(cleanup)

    def trigger(self, reason: str, signum: int | None = None) -> None:
        """Start the exit for `reason` (signal handler, input thread or a test)."""
        if self.reason is not None:
            if signum in (signal.SIGTERM, signal.SIGINT):
                self._now.set()  # asked twice: do not wait for the grace period
            return
        self.reason = reason
        self._code = 128 + (signum or signal.SIGHUP)
        self._start_watchdog()  # already running once installed
        self._fired.set()
        on_exit = self._on_exit
        if on_exit is not None:
            on_exit(reason)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.trigger(REASONS.get(signum, f"signal {signum}"), signum)

    def _watch(self, fd: int) -> None:
        # Only hangup, error and invalid are asked for: the keys stay for the app to read.
        poller = select.poll()
        poller.register(fd, 0)
        while self.reason is None:
            for _fd, mask in poller.poll(None):
                if mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    self.trigger(HANGUP)
                    return

    def _start_watchdog(self) -> None:
        if self._watchdog_thread is None:
            self._watchdog_thread = threading.Thread(
                target=self._watchdog, name="cockpit-exit-watchdog", daemon=True
            )
            self._watchdog_thread.start()

    def _watchdog(self) -> None:
        self._fired.wait()
        self._now.wait(self.hangup_grace_s if self.reason == HANGUP else self.grace_s)
        self._last_resort()

    def _last_resort(self) -> None:
        seal, reason = self._seal, self.reason or HANGUP
        if seal is not None:
            worker = threading.Thread(target=seal, args=(reason,), daemon=True)
            worker.start()
            worker.join(SEAL_WAIT_S)
        for cleanup in self._cleanups:
            with contextlib.suppress(Exception):
                cleanup()
        self._exit_fn(self._code)


def _is_terminal(fd: int) -> bool:
    # Not os.isatty(): a terminal that already hung up fails tcgetattr and looks like none.
    try:
        return stat.S_ISCHR(os.fstat(fd).st_mode)
    except OSError:
        return False


GUARD = ExitGuard()
"""The process's guard (the launcher installs it; in-process tests leave it uninstalled)."""


def seal(session: object, reason: str) -> None:
    """Write `log.closed` for a live session whose orderly stop did not run or finish
    (a no-op for a replay)."""
    from cockpit.session import LiveSession

    if isinstance(session, LiveSession):
        session.closed = True
        seal_log(session.log, reason)


def seal_log(log: IncidentLog, reason: str) -> None:
    """Append `log.closed` and release the file; a no-op for a log already released."""
    from cockpit.log.events import LogClosed
    from cockpit.log.recovery import LogError

    with contextlib.suppress(OSError, LogError, ValueError):
        log.append(LogClosed(reason=reason))
    log.close()
