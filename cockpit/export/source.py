"""Reads a log for an export: one pass that folds it, keeps peaks and checks the chain."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cockpit.domain.fold import Folder
from cockpit.domain.state import IncidentState
from cockpit.export.impact import PeakTracker
from cockpit.log.events import ZERO_HASH
from cockpit.log.progress import ProgressBar
from cockpit.log.reader import LogReader, ReadError
from cockpit.log.verify import EXIT_OK, verify


class LogUnreadable(Exception):
    """Not one event could be read: there is nothing to export."""


@dataclass(frozen=True, slots=True)
class FoldedLog:
    """What an export is built from."""

    name: str
    state: IncidentState
    peaks: PeakTracker
    events: int
    final_hash: str
    warning: str | None
    """Why the log cannot be trusted as a whole (verification failed, read stopped early)."""


def read_log(
    path: str | Path, key: bytes | None = None, bar: ProgressBar | None = None
) -> FoldedLog:
    """Fold every readable event of `path` and verify its chain (raises LogUnreadable);
    `bar` shows both passes."""
    folder = Folder()
    peaks = PeakTracker()
    count, final_hash = 0, ZERO_HASH
    stopped: str | None = None
    try:
        for record in LogReader(path, check_seq=False):
            folder.apply(record.event)
            peaks.apply(record.event, folder.state)
            count += 1
            final_hash = record.event.hash
            if bar is not None and count % 2048 == 0:
                bar.update(record.offset)
    except ReadError as err:
        if count == 0 and err.kind == "io":
            raise LogUnreadable(f"{path}: {err.message}") from None
        if count == 0:
            raise LogUnreadable(f"{path}: not a readable incident log ({err})") from None
        stopped = f"reading stopped at {err}; the export covers the {count} events before it"
    if count == 0:
        raise LogUnreadable(f"{path}: the log is empty")
    if bar is not None:
        bar.phase("verifying")
    report = verify(path, key, progress=None if bar is None else bar.update)
    warning = None
    if report.status != EXIT_OK:
        warning = f"the log failed verification: {report.summary}"
        if stopped:
            warning += f"; {stopped}"
    elif stopped:
        warning = stopped
    return FoldedLog(Path(path).name, folder.state, peaks, count, final_hash, warning)
