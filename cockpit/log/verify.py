"""`cockpit verify LOG`: check each hash and the chain (exit 0 intact, 1 broken, 2 unreadable).

In sha256 mode the chain proves the log is internally consistent, not who wrote it: someone
who rewrites every line from the edit onwards (recomputing each hash) is not detected. Keyed
mode (COCKPIT_LOG_KEY, HMAC-SHA256) closes that gap for anyone who does not hold the key.
"""

from __future__ import annotations

import os
import re
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit.log.codec import HASH_HMAC, HASH_SHA256, hash_matches
from cockpit.log.events import ZERO_HASH, LogClosed, LogDamaged
from cockpit.log.fastverify import FastState, GiveUp, fast_walk
from cockpit.log.progress import ProgressBar, plain_size
from cockpit.log.reader import LogReader, ReadError, check_header, open_binary

EXIT_OK, EXIT_BROKEN, EXIT_UNREADABLE = 0, 1, 2
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RECENT = 4096
KEY_ENV = "COCKPIT_LOG_KEY"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of a verification; `summary` is the one line printed on stdout."""

    status: int
    events: int
    hash_mode: str
    last_hash: str
    bad_seq: int | None
    bad_line: int | None
    summary: str
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the chain is intact."""
        return self.status == EXIT_OK


class _Failure(Exception):
    def __init__(self, status: int, seq: int | None, line: int | None, message: str) -> None:
        super().__init__(message)
        self.status, self.seq, self.line, self.message = status, seq, line, message


def verify(
    path: str | Path,
    key: bytes | None,
    expect: str | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    fast: bool = True,
) -> VerifyReport:
    """Verify the log at `path` with `key` (None: expect an unkeyed sha256 log); with
    `expect`, also check that this hash (recorded elsewhere) is the chain's. `progress` is
    called with the bytes read so far (of the uncompressed stream).

    An intact log as a writer wrote it is confirmed by the fast path (`fastverify`); any
    doubt runs the full line-by-line check, which alone words failures and warnings."""
    confirmed = _fast(path, key or None, expect, progress) if fast else None
    if confirmed is not None:
        return confirmed
    state = _Walk(key or None)
    state.expect = expect
    reader = LogReader(path, check_seq=False, assemble=False)
    try:
        try:
            for record in reader:
                if progress is not None and record.line_no % 4096 == 0:
                    progress(record.offset)
                last = reader.damage[-1] if reader.damage else None
                skipped = last[0] if last is not None and last[1] is record else None
                state.check(record.line_no, record.obj, skipped)
        except ReadError as err:
            raise _from_read_error(err, state) from None
        if state.pending is not None:
            raise state.pending
        if state.events == 0:
            raise _Failure(EXIT_UNREADABLE, None, None, "empty file, not an incident log")
        _check_expected(state, expect)
    except _Failure as fail:
        if fail.status == EXIT_UNREADABLE:
            summary = f"UNREADABLE: {fail.message}"
        else:
            summary = f"FAILED at seq {fail.seq} (line {fail.line}): {fail.message}"
        return VerifyReport(
            fail.status, state.events, state.mode, state.last_hash, fail.seq, fail.line, summary
        )
    notes = sorted(state.notes)
    warnings = tuple(
        [f"line {w.line_no} (seq {w.seq}): {w.message}" for w in reader.warnings if not w.skipped]
        + [f"also at seq {seq} (line {line}): {text}" for line, seq, text in notes[1:]]
        + [f"recorded at {text}" for text in state.recorded]
    )
    if notes:
        line, seq, text = notes[0]
        return VerifyReport(
            EXIT_BROKEN,
            state.events,
            state.mode,
            state.last_hash,
            seq,
            line,
            f"FAILED at seq {seq} (line {line}): {text}",
            warnings,
        )
    return _ok_report(state, warnings)


def _ok_report(state: _Walk, warnings: tuple[str, ...]) -> VerifyReport:
    summary = f"OK: {state.events} events, chain intact ({state.mode})"
    if state.last_type == LogClosed.TYPE:
        summary += f", sealed by log.closed at seq {state.last_seq}"
    else:
        summary += (
            f" but not sealed: no log.closed after the last event, seq {state.last_seq} "
            f"({state.last_type}): still being written, a crash, or lines removed from the "
            "end (--expect HASH tells)"
        )
    summary += f"; last hash {state.last_hash[:16]}..."
    if state.recorded:
        summary += f"; {len(state.recorded)} log.damaged event(s) recorded (see warnings)"
    if state.expect_note:
        summary += f"; {state.expect_note}"
    return VerifyReport(
        EXIT_OK, state.events, state.mode, state.last_hash, None, None, summary, warnings
    )


def _fast(
    path: str | Path, key: bytes | None, expect: str | None, progress: Callable[[int], None] | None
) -> VerifyReport | None:
    """The report of an intact log from the fast path, or None (then the full check runs)."""
    try:
        with open_binary(path) as stream:
            found = fast_walk(stream, key, expect, progress)
    except (GiveUp, OSError, EOFError, zlib.error):
        return None
    return confirmed_report(found, key, expect)


def confirmed_report(
    found: FastState, key: bytes | None, expect: str | None = None
) -> VerifyReport | None:
    """The report of an intact log from what the fast chain check found (the figures of a
    whole walk), or None when the header says otherwise (then the full check decides)."""
    if found.header is None:
        return None
    state = _Walk(key)
    state.expect = expect
    try:
        check_header(found.header)
        state.check(1, found.header)
        if state.pending is not None or state.notes:
            return None
        state.events, state.last_seq = found.events, found.last_seq
        state.last_hash, state.last_type = found.last_hash, found.last_type
        state.expect_seq = found.expect_seq or state.expect_seq
        _check_expected(state, expect)
    except (_Failure, ReadError):
        return None
    return _ok_report(state, ())


def _segment_text(line_no: int, obj: dict[str, Any]) -> str:
    data = obj["data"]
    return (
        f"a new segment follows at line {line_no} (seq {obj['seq']}, log.damaged by a writer "
        f"that found {data.get('kind', '?')}: {str(data.get('detail', ''))[:160]})"
    )


def _check_expected(state: _Walk, expect: str | None) -> None:
    if expect is None or expect == state.last_hash:
        return
    seq = state.expect_seq
    if seq is None:
        raise _Failure(
            EXIT_BROKEN,
            state.last_seq,
            state.events,
            f"the expected hash {expect} is not in this log; its last hash is "
            f"{state.last_hash} (seq {state.last_seq}): lines removed from the end, or "
            "another log",
        )
    state.expect_note = (
        f"the expected hash is seq {seq}'s, and {state.last_seq - seq} event(s) follow it"
    )


class _Walk:
    """The running chain check: hash, then link to the previous line, then seq."""

    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.mode = HASH_HMAC if key else HASH_SHA256
        self.events = 0
        self.last_seq = 0
        self.last_hash = ZERO_HASH
        self.last_type = ""
        self.recorded: list[str] = []
        """Every `log.damaged` line of the chain, for the warnings."""
        self.expect: str | None = None
        self.expect_seq: int | None = None
        self.recent: dict[str, int] = {}
        """Hashes of the last lines (bounded), to say where a new segment chains to."""
        self.notes: list[tuple[int, int, str]] = []
        self.pending: _Failure | None = None
        self.expect_note = ""

    def check(self, line_no: int, obj: dict[str, Any], skipped: ReadError | None = None) -> None:
        """Check one line; after a failure, skip lines until a writer's segment start
        (`skipped`: damage the reader skipped to reach this line)."""
        seq = obj["seq"]
        if line_no == 1:
            self._check_mode(obj)
        if not hash_matches(obj, self.key):
            hint = "wrong COCKPIT_LOG_KEY?" if line_no == 1 and self.key else "line edited?"
            if line_no > 1 and self.key:
                hint = "line edited or forged?"
            self._fail(_Failure(EXIT_BROKEN, seq, line_no, f"hash mismatch ({hint})"))
            return
        linked = obj["prev"] == self.last_hash and seq == self.last_seq + 1
        if obj["type"] == LogDamaged.TYPE and obj["data"].get("segment") is True:
            if skipped is not None:
                self._fail(_Failure(EXIT_BROKEN, skipped.seq, skipped.line_no, skipped.message))
            if self.pending is not None or not linked:
                self._segment(line_no, seq, obj)
            elif obj["data"].get("kind") == "truncated":
                self._lost(line_no, seq, obj)
        elif self.pending is not None:
            return
        elif obj["prev"] != self.last_hash:
            message = (
                "chain broken: prev does not match the line before "
                "(line deleted, inserted or reordered?)"
            )
            self._fail(_Failure(EXIT_BROKEN, seq, line_no, message))
            return
        elif seq != self.last_seq + 1:
            message = f"seq jumps from {self.last_seq} to {seq}"
            self._fail(_Failure(EXIT_BROKEN, seq, line_no, message))
            return
        elif obj["type"] == LogDamaged.TYPE and obj["data"].get("kind") == "truncated":
            self._lost(line_no, seq, obj)
        self.events += 1
        self.last_seq = seq
        self.last_hash = str(obj["hash"])
        self.last_type = str(obj["type"])
        if obj["type"] == LogDamaged.TYPE:
            data = obj["data"]
            self.recorded.append(
                f"seq {seq} (line {line_no}): log.damaged: a writer found "
                f"{data.get('kind', '?')}: {str(data.get('detail', ''))[:160]}"
                + (f"; kept in {data['moved_to']}" if data.get("moved_to") else "")
            )
        if self.last_hash == self.expect:
            self.expect_seq = seq
        self.recent[self.last_hash] = seq
        if len(self.recent) > _RECENT:
            del self.recent[next(iter(self.recent))]

    def _fail(self, failure: _Failure) -> None:
        if failure.line == 1:
            raise failure
        if self.pending is None:
            self.pending = failure

    def _lost(self, line_no: int, seq: int, obj: dict[str, Any]) -> None:
        """A writer found the file truncated: the chain here is whole, the lines are gone."""
        detail = str(obj["data"].get("detail", ""))[:200]
        self.notes.append(
            (line_no, seq, f"lines lost: log.damaged records a truncation ({detail})")
        )

    def _segment(self, line_no: int, seq: int, obj: dict[str, Any]) -> None:
        """A writer started a new segment here after finding the file damaged."""
        linked = self.recent.get(str(obj["prev"]))
        if linked is None:
            link = "it chains to a hash that is not among the lines before it (lines lost)"
        else:
            link = f"it chains to seq {linked}"
        found: list[str] = []
        where = (line_no, seq)
        if self.pending is not None:
            failure, self.pending = self.pending, None
            found.append(failure.message)
            where = (failure.line or line_no, failure.seq or seq)
        if seq != self.last_seq + 1:
            found.append(f"seq jumps from {self.last_seq} to {seq} (lines missing)")
            where = where if found[:-1] else (line_no, self.last_seq + 1)
        elif not found:
            found.append(f"prev of seq {seq} is not the hash of seq {self.last_seq}")
        text = f"{'; '.join(found)}; {_segment_text(line_no, obj)}; {link}"
        self.notes.append((*where, text))

    def _check_mode(self, header: dict[str, object]) -> None:
        data = header["data"]
        claimed = data.get("hash_mode", HASH_SHA256) if isinstance(data, dict) else None
        if claimed == HASH_HMAC and not self.key:
            self.mode = HASH_HMAC
            raise _Failure(
                EXIT_UNREADABLE, 1, 1, f"the log is keyed (hmac-sha256): set {KEY_ENV} to verify it"
            )
        if claimed == HASH_SHA256 and self.key:
            raise _Failure(
                EXIT_BROKEN,
                1,
                1,
                f"{KEY_ENV} is set but the log claims sha256 (downgraded or unkeyed log?)",
            )
        if claimed not in (HASH_HMAC, HASH_SHA256):
            raise _Failure(EXIT_UNREADABLE, 1, 1, f"unknown hash mode {claimed!r}")


def _from_read_error(err: ReadError, state: _Walk) -> _Failure:
    if err.line_no <= 1 or err.kind == "io":
        return _Failure(
            EXIT_UNREADABLE, err.seq, err.line_no, f"not an incident log: {err.message}"
        )
    seq = err.seq if err.seq is not None else state.last_seq + 1
    return _Failure(EXIT_BROKEN, seq, err.line_no, err.message)


def verify_with_env_key(path: str | Path) -> VerifyReport:
    """`verify` with the key from COCKPIT_LOG_KEY, as `cockpit verify` does."""
    raw_key = os.environ.get(KEY_ENV, "")
    return verify(path, raw_key.encode("utf-8") if raw_key else None)


def main(path: str, expect: str | None = None) -> int:
    """Entry point of `cockpit verify LOG [--expect HASH]`: one summary line on stdout,
    warnings on stderr."""
    if expect is not None and not _HEX64.fullmatch(expect.strip().lower()):
        sys.stderr.write(
            f"cockpit verify: --expect takes a 64-hex-digit hash, not {expect[:80]!r}\n"
        )
        return EXIT_UNREADABLE
    raw_key = os.environ.get(KEY_ENV, "")
    key = raw_key.encode("utf-8") if raw_key else None
    with ProgressBar("verifying", plain_size(path), sys.stderr) as bar:
        report = verify(path, key, expect.strip().lower() if expect else None, bar.update)
    for warning in report.warnings[:10]:
        sys.stderr.write(f"warning: {warning}\n")
    if len(report.warnings) > 10:
        sys.stderr.write(f"warning: ... and {len(report.warnings) - 10} more\n")
    sys.stdout.write(report.summary + "\n")
    return report.status
