"""Typed-ahead keys: each key waits until the one before it has been handled and what that
key opened (a dialog, a field) is ready, so a burst lands where the user aimed it.

Textual hands every key to the focused widget as soon as it is read, and runs a binding only
once the key has bubbled back up. Over a slow SSH link keystrokes arrive in one read: after
`n` (note) the words typed behind it reached the dashboard before the dialog existed, and a
letter among them could run that key's binding there (`a` acknowledges, `e` exports). Keys
that arrive while nothing is in flight pass straight through, so a single key costs nothing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.timer import Timer

HOLD_MAX_S = 0.5
"""A key held longer than this behind an unfinished one is let through anyway."""
RECHECK_S = 0.002


class TypeAhead:
    """Keys in arrival order, one in flight at a time, for `app`; `dispatch` hands a key to
    Textual (the app's normal key handling)."""

    def __init__(self, app: App[Any], dispatch: Callable[[events.Key], Awaitable[None]]):
        self._app = app
        self._dispatch = dispatch
        self._in_flight: events.Key | None = None
        self._since = 0.0
        self._held: deque[events.Key] = deque()
        self._timer: Timer | None = None

    async def arrived(self, key: events.Key) -> None:
        """A key read from the terminal: handled now, or held behind an unfinished one."""
        if self._held or not self._settled():
            self._held.append(key)
            self._arm()
            return
        await self._send(key)

    def finished(self, key: events.Key) -> None:
        """`key` reached the app's own key handler (it bubbled all the way up)."""
        if key is self._in_flight:
            self._in_flight = None

    def _settled(self) -> bool:
        key = self._in_flight
        if key is not None and not key._stop_propagation:  # still queued or bubbling
            if time.monotonic() - self._since < HOLD_MAX_S:
                return False
            self._in_flight = None  # lost on the way (its widget went away): move on
        try:
            screen = self._app.screen
        except Exception:  # no screen yet or any more: nothing to wait for
            return True
        if not screen.is_mounted:
            return time.monotonic() - self._since >= HOLD_MAX_S
        return screen.focused is not None or not screen.focus_chain

    async def _send(self, key: events.Key) -> None:
        self._in_flight, self._since = key, time.monotonic()
        await self._dispatch(key)
        if not key.is_forwarded:  # a priority binding took it at once
            self.finished(key)

    def _arm(self) -> None:
        if self._timer is None:
            self._timer = self._app.set_timer(RECHECK_S, self._release)

    async def _release(self) -> None:
        self._timer = None
        while self._held and self._settled():
            await self._send(self._held.popleft())
        if self._held:
            self._arm()
