"""Turns poll results into acknowledged log events; shared by the app and the recorder."""

from __future__ import annotations

from cockpit.clock import Clock, monotonic
from cockpit.log.codec import LineTooLong
from cockpit.log.delta import ObservationRecorder, source_failed
from cockpit.log.events import Event
from cockpit.log.store import IncidentLog
from cockpit.sources.base import Snapshot, SourceError


class ObservationFeed:
    """Records each poll result: what changed as an observation, a failure as SourceFailed.

    The caller owns the thread: the app calls it on its main thread, the recorder on its
    event loop; either way there is one writer per process.
    """

    def __init__(self, log: IncidentLog, clock: Clock, *, full_every_s: float = 300.0) -> None:
        self._log = log
        self._clock = clock
        self._recorder = ObservationRecorder(full_every_s=full_every_s)

    def on_result(self, source: str, result: Snapshot | SourceError, started: float) -> Event:
        """Append the event for one poll result; returns it once it is fsynced."""
        duration_ms = max(0.0, (monotonic() - started) * 1000.0)
        if isinstance(result, SourceError):
            return self._log.append(source_failed(source, result, duration_ms))
        try:
            return self._log.append(self._recorder.record(result, self._clock.now()))
        except LineTooLong as exc:
            # One item alone is over the line limit (larger observations are split): say
            # so, and write the next snapshot whole, since this one never reached the log.
            self._recorder.reset()
            error = SourceError("parse", f"answer not recorded: {exc}")
            return self._log.append(source_failed(source, error, duration_ms))
