"""Reads a log for an export: one pass that folds it, keeps peaks and checks the chain."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from cockpit.domain.fold import Folder
from cockpit.domain.state import IncidentState
from cockpit.export.impact import PeakTracker
from cockpit.log.events import ZERO_HASH
from cockpit.log.fastread import FastReader
from cockpit.log.fastverify import GiveUp
from cockpit.log.progress import ProgressBar
from cockpit.log.reader import LogReader, ReadError, open_binary
from cockpit.log.verify import EXIT_OK, confirmed_report, verify


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
    path: str | Path,
    key: bytes | None = None,
    bar: ProgressBar | None = None,
    *,
    fast: bool = True,
) -> FoldedLog:
    """Fold every readable event of `path` and verify its chain (raises LogUnreadable);
    `bar` shows both passes.

    An intact log as a writer wrote it is folded and confirmed in one pass (`fastread`);
    anything else is read again on the reference path, which words damage and warnings."""
    if fast:
        folded = _read_fast(path, key or None, bar)
        if folded is not None:
            return folded
        if bar is not None:
            bar.phase("reading")
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


def _read_fast(path: str | Path, key: bytes | None, bar: ProgressBar | None) -> FoldedLog | None:
    """Fold and verify in one pass, or None when the fast read cannot confirm the log."""
    folder = Folder()
    peaks = PeakTracker()
    apply, track, state = folder.apply, peaks.apply, folder.state
    count, final_hash = 0, ZERO_HASH
    try:
        with open_binary(path) as stream:
            reader = FastReader(stream, key, None if bar is None else bar.update)
            for event in reader:
                apply(event)
                track(event, state)
                count += 1
            final_hash = event.hash if count else ZERO_HASH
    except (GiveUp, OSError, EOFError, zlib.error):
        return None
    if reader.found is None or count == 0:
        return None
    report = confirmed_report(reader.found, key)
    if report is None:
        return None
    return FoldedLog(Path(path).name, folder.state, peaks, count, final_hash, None)
