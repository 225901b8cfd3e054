"""A repeating call on the event loop that a render can push back or put off (fewer wake-ups)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Ticker:
    """Calls `callback` every `interval_s` on the running loop, or later when asked.

    `defer()` moves the next call to a full interval from now: a render that has just shown
    the time makes the tick due in between pointless, and on a host that polls every 2 s
    half of the 1 Hz ticks (each a wake-up of the process) are saved. `defer(delay_s)`, or
    a callback that returns a number of seconds, sets the next call that far away instead:
    a screen that shows no age sleeps until something on it can change. `errors` receives
    what the callback raises (the app's crash handler), so the loop never swallows it.
    """

    def __init__(
        self,
        interval_s: float,
        callback: Callable[[], float | None],
        errors: Callable[[Exception], None],
    ) -> None:
        self.interval_s = interval_s
        self._callback = callback
        self._errors = errors
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.running = False

    def start(self) -> None:
        """Begin (or resume) ticking; the first call is one interval from now."""
        self._loop = asyncio.get_running_loop()
        self.running = True
        self.defer()

    def defer(self, delay_s: float | None = None) -> None:
        """The next call `delay_s` from now, one full interval when None (no-op while
        stopped)."""
        if not self.running or self._loop is None:
            return
        if self._handle is not None:
            self._handle.cancel()
        delay = self.interval_s if delay_s is None else delay_s
        self._handle = self._loop.call_later(delay, self._fire)

    def stop(self) -> None:
        """No more calls until `start()` (pausing a replay, quitting)."""
        self.running = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        delay: float | None = None
        try:
            delay = self._callback()
        except Exception as exc:  # handed on, like a Textual timer's callback error
            self._errors(exc)
        if self._handle is None:  # unless the callback already set the next call
            self.defer(delay)
