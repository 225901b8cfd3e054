"""Reads a log for an export: one pass that folds it, keeps peaks and checks the chain."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from cockpit.domain.fold import Folder
from cockpit.domain.state import IncidentState
from cockpit.export.fastfold import ExportFold
from cockpit.export.impact import PeakTracker
from cockpit.log.events import ZERO_HASH
from cockpit.log.fastread import FastReader
from cockpit.log.fastread_check import ChainCheck, ReadAgain
from cockpit.log.fastverify import GiveUp
from cockpit.log.progress import ProgressBar, plain_size
from cockpit.log.reader import LogReader, ReadError, open_binary
from cockpit.log.verify import EXIT_OK, confirmed_report, verify

PARALLEL_FROM = 32 * 1024 * 1024
"""From this size (bytes) the chain is checked in a worker process while the export folds:
below it, starting the worker (about 0.2 s) costs more than it saves."""


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
    folder = Folder(keep_history=False)  # an export shows no sparkline
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
    """Fold and verify in one pass, or None when the fast read cannot confirm the log.

    A big plain file's chain is checked in a child process while this one folds it: the
    check is about a quarter of the work (measured on a 200 MiB log: 10 % less wall time
    with other jobs on both cores, more on an idle machine)."""
    size = plain_size(str(path))
    if size is None or size < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return _fold_fast(path, key, bar, None)
    checked = ChainCheck(str(path), key)
    folded = None
    try:
        folded = _fold_fast(path, key, bar, checked)
    except ReadAgain:
        if bar is not None:
            bar.phase("reading")
        return _fold_fast(path, key, bar, None)
    finally:
        if folded is None:
            checked.cancel()
    return folded


def _fold_fast(
    path: str | Path,
    key: bytes | None,
    bar: ProgressBar | None,
    checked: ChainCheck | None,
) -> FoldedLog | None:
    """The fold of the fast read; the chain is checked inline, or by `checked`."""
    fold = ExportFold()
    apply = fold.apply
    count = 0
    try:
        with open_binary(path) as stream:
            reader = FastReader(
                stream, key, None if bar is None else bar.update, checked=checked is None
            )
            for row in reader.rows():
                apply(row)
                count += 1
            final_hash = row[5] if count else ZERO_HASH
        found = reader.found if checked is None else checked.result()
    except (GiveUp, ValueError, IndexError, OSError, EOFError, zlib.error):
        return None
    if found is None or count == 0:
        return None
    report = confirmed_report(found, key)
    if report is None:
        return None
    return FoldedLog(Path(path).name, fold.state, fold.peaks, count, final_hash, None)
