"""Turns poll results into acknowledged log events; shared by the app and the recorder."""

from __future__ import annotations

from cockpit.clock import Clock, monotonic
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
        if isinstance(result, SourceError):
            duration_ms = max(0.0, (monotonic() - started) * 1000.0)
            return self._log.append(source_failed(source, result, duration_ms))
        return self._log.append(self._recorder.record(result, self._clock.now()))
