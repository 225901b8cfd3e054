"""Polls each source on its own interval, never overlapping; a failing source too."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from traceback import format_exc

from cockpit.clock import monotonic
from cockpit.sanitize import clean
from cockpit.settings.secrets import redact
from cockpit.sources.base import Snapshot, Source, SourceError

log = logging.getLogger(__name__)

ResultCallback = Callable[[str, "Snapshot | SourceError", float], object]
"""on_result(source_name, snapshot or error, started_at_monotonic); may be sync or async."""

SleepFn = Callable[[float], Awaitable[None]]

MAX_RETRY_AFTER_S = 900.0
"""A server asking for more than this is still polled then (the pane must not go silent)."""

STILL_RUNNING = "previous poll still running (server frozen?): not starting another"


def next_delay(
    interval_s: float, failures: int, retry_after_s: float | None, max_backoff_s: float
) -> float:
    """Seconds until the next poll: the interval, doubled per consecutive failure, capped;
    never sooner than the server's Retry-After."""
    if failures <= 0:
        return interval_s
    cap = max(max_backoff_s, interval_s)
    delay = min(interval_s * 2.0 ** min(failures, 30), cap)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, MAX_RETRY_AFTER_S))
    return delay


@dataclass(slots=True)
class _Entry:
    source: Source
    interval_s: float
    failures: int = 0
    last_error: SourceError | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class PollScheduler:
    """One asyncio task per source. The next poll is armed only when the previous one has
    returned, so polls of one source never overlap; a slow source never delays another."""

    def __init__(
        self,
        on_result: ResultCallback,
        *,
        sleep: SleepFn = asyncio.sleep,
        clock: Callable[[], float] = monotonic,
        max_backoff_s: float | None = None,
    ) -> None:
        """`max_backoff_s` None (the default): a failing source is retried at its own
        interval, so its pane recovers within one interval (plus the deadline of a poll
        that was hanging) of the source's return. A number lets the wait double up to it."""
        self._on_result = on_result
        self._sleep = sleep
        self._clock = clock
        self._max_backoff_s = max_backoff_s
        self._entries: dict[str, _Entry] = {}
        self._running = False

    def add(self, source: Source, interval_s: float) -> None:
        """Register a source (before or after start); names must be unique."""
        if interval_s <= 0:
            raise ValueError(f"poll interval of {source.name!r} must be > 0 s, got {interval_s}")
        if source.name in self._entries:
            raise ValueError(f"two sources are named {source.name!r}; give one another name")
        entry = _Entry(source, interval_s)
        self._entries[source.name] = entry
        if self._running:
            self._launch(entry)

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._running

    def failures(self, name: str) -> int:
        """Consecutive failed polls of source `name` (0 after a success)."""
        return self._entries[name].failures

    def start(self) -> None:
        """Start polling every source now (call from inside the running event loop)."""
        if self._running:
            return
        self._running = True
        for entry in self._entries.values():
            self._launch(entry)

    async def stop(self, *, close_sources: bool = True) -> None:
        """Cancel every poll loop, wait for them, then close the sources that can be closed."""
        self._running = False
        tasks = [e.task for e in self._entries.values() if e.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for entry in self._entries.values():
            entry.task = None
            closer = getattr(entry.source, "aclose", None)
            if close_sources and closer is not None:
                with contextlib.suppress(Exception):
                    await closer()

    def refresh(self, name: str | None = None) -> None:
        """Poll now instead of at the end of the wait (one source or all).

        A source that was rate limited keeps waiting: the server asked us to.
        """
        for entry in self._entries.values():
            if name in (None, entry.source.name):
                limited = entry.last_error is not None and entry.last_error.kind == "rate_limited"
                if not limited:
                    entry.wake.set()

    def _launch(self, entry: _Entry) -> None:
        entry.task = asyncio.get_running_loop().create_task(
            self._loop(entry), name=f"poll:{entry.source.name}"
        )

    async def _loop(self, entry: _Entry) -> None:
        while True:
            started = self._clock()
            result = await self._poll_once(entry.source)
            if isinstance(result, SourceError):
                entry.failures += 1
                entry.last_error = result
            else:
                entry.failures = 0
                entry.last_error = None
            await self._deliver(entry.source.name, result, started)
            delay = next_delay(
                entry.interval_s,
                entry.failures,
                entry.last_error.retry_after_s if entry.last_error else None,
                entry.interval_s if self._max_backoff_s is None else self._max_backoff_s,
            )
            if entry.failures == 0:
                # Keep a start-to-start cadence, but always leave the loop a breather.
                elapsed = self._clock() - started
                delay = max(delay - elapsed, entry.interval_s * 0.1)
            await self._wait(entry, delay)

    async def _poll_once(self, source: Source) -> Snapshot | SourceError:
        if getattr(source, "busy", False):
            return SourceError("timeout", STILL_RUNNING)
        try:
            return await source.poll()
        except SourceError as exc:
            return exc
        except Exception as exc:  # a bug in one source must not stop the polling of any
            # No exc_info: the handler would print the traceback unredacted.
            log.error("source %s raised unexpectedly:\n%s", source.name, redact(format_exc()))
            text = clean(exc, single_line=True, max_len=160)
            return SourceError("parse", f"unexpected {type(exc).__name__}: {text}")

    async def _deliver(self, name: str, result: Snapshot | SourceError, started: float) -> None:
        try:
            outcome = self._on_result(name, result, started)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:  # the callback's failure is the consumer's bug, not the source's
            log.exception("on_result failed for source %s", name)

    async def _wait(self, entry: _Entry, seconds: float) -> None:
        entry.wake.clear()
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        waker = asyncio.ensure_future(entry.wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()
