"""`cockpit verify LOG`: check each hash and the chain (exit 0 intact, 1 broken, 2 unreadable).

In sha256 mode the chain proves the log is internally consistent, not who wrote it: someone
who rewrites every line from the edit onwards (recomputing each hash) is not detected. Keyed
mode (COCKPIT_LOG_KEY, HMAC-SHA256) closes that gap for anyone who does not hold the key.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cockpit.log.codec import HASH_HMAC, HASH_SHA256, body_of, line_hash
from cockpit.log.events import ZERO_HASH
from cockpit.log.reader import LogReader, ReadError

EXIT_OK, EXIT_BROKEN, EXIT_UNREADABLE = 0, 1, 2
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


def verify(path: str | Path, key: bytes | None) -> VerifyReport:
    """Verify the log at `path` with `key` (None: expect an unkeyed sha256 log)."""
    state = _Walk(key or None)
    reader = LogReader(path, check_seq=False)
    try:
        try:
            for record in reader:
                state.check(record.line_no, record.obj)
        except ReadError as err:
            raise _from_read_error(err, state) from None
        if state.events == 0:
            raise _Failure(EXIT_UNREADABLE, None, None, "empty file, not an incident log")
    except _Failure as fail:
        if fail.status == EXIT_UNREADABLE:
            summary = f"UNREADABLE: {fail.message}"
        else:
            summary = f"FAILED at seq {fail.seq} (line {fail.line}): {fail.message}"
        return VerifyReport(
            fail.status, state.events, state.mode, state.last_hash, fail.seq, fail.line, summary
        )
    warnings = tuple(f"line {w.line_no} (seq {w.seq}): {w.message}" for w in reader.warnings)
    summary = (
        f"OK: {state.events} events, chain intact ({state.mode}), "
        f"last hash {state.last_hash[:16]}..."
    )
    return VerifyReport(
        EXIT_OK, state.events, state.mode, state.last_hash, None, None, summary, warnings
    )


class _Walk:
    """The running chain check: hash, then link to the previous line, then seq."""

    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.mode = HASH_HMAC if key else HASH_SHA256
        self.events = 0
        self.last_seq = 0
        self.last_hash = ZERO_HASH

    def check(self, line_no: int, obj: dict[str, object]) -> None:
        seq = obj["seq"]
        assert isinstance(seq, int)
        if line_no == 1:
            self._check_mode(obj)
        if line_hash(body_of(obj), self.key) != obj["hash"]:
            hint = "wrong COCKPIT_LOG_KEY?" if line_no == 1 and self.key else "line edited?"
            if line_no > 1 and self.key:
                hint = "line edited or forged?"
            raise _Failure(EXIT_BROKEN, seq, line_no, f"hash mismatch ({hint})")
        if obj["prev"] != self.last_hash:
            raise _Failure(
                EXIT_BROKEN,
                seq,
                line_no,
                "chain broken: prev does not match the line before "
                "(line deleted, inserted or reordered?)",
            )
        if seq != self.last_seq + 1:
            raise _Failure(EXIT_BROKEN, seq, line_no, f"seq jumps from {self.last_seq} to {seq}")
        self.events += 1
        self.last_seq = seq
        self.last_hash = str(obj["hash"])

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


def main(path: str) -> int:
    """Entry point of `cockpit verify LOG`: one summary line on stdout, warnings on stderr."""
    raw_key = os.environ.get(KEY_ENV, "")
    report = verify(path, raw_key.encode("utf-8") if raw_key else None)
    for warning in report.warnings[:10]:
        sys.stderr.write(f"warning: {warning}\n")
    if len(report.warnings) > 10:
        sys.stderr.write(f"warning: ... and {len(report.warnings) - 10} more\n")
    sys.stdout.write(report.summary + "\n")
    return report.status
