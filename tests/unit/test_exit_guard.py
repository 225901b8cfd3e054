"""The exit guard: reasons, the attach order, the watchdog's seal and deadline, the pty watch."""

from __future__ import annotations

import json
import os
import pty
import signal
import threading
import time
from pathlib import Path

from cockpit.clock import SystemClock
from cockpit.hangup import HANGUP, ExitGuard, seal_log
from cockpit.log.store import IncidentLog


class Recorder:
    """What the guard asked for, and when."""

    def __init__(self) -> None:
        self.exits: list[str] = []
        self.sealed: list[str] = []
        self.codes: list[int] = []
        self.done = threading.Event()
        self.started = time.monotonic()

    def on_exit(self, reason: str) -> None:
        self.exits.append(reason)

    def seal(self, reason: str) -> None:
        self.sealed.append(reason)

    def exit_fn(self, code: int) -> None:
        self.codes.append(code)
        self.done.set()


def guard_for(rec: Recorder, grace_s: float = 0.2) -> ExitGuard:
    guard = ExitGuard(grace_s=grace_s, hangup_grace_s=grace_s, exit_fn=rec.exit_fn)
    guard.seal_with(rec.seal)
    return guard


def test_a_signal_before_the_app_attached_is_handed_over_on_attach() -> None:
    rec = Recorder()
    guard = guard_for(rec, grace_s=5.0)
    guard.trigger("sigterm", signal.SIGTERM)
    assert rec.exits == []
    guard.attach(rec.on_exit)
    assert rec.exits == ["sigterm"] and guard.reason == "sigterm"


def test_the_first_reason_wins() -> None:
    rec = Recorder()
    guard = guard_for(rec, grace_s=5.0)
    guard.attach(rec.on_exit)
    guard.trigger(HANGUP)
    guard.trigger("sigint")  # not a signal number: no escalation either
    assert rec.exits == [HANGUP] and rec.codes == []


def test_a_stuck_exit_is_sealed_and_ended_by_the_watchdog() -> None:
    rec = Recorder()
    guard = guard_for(rec, grace_s=0.2)
    guard.attach(rec.on_exit)  # the app "never finishes"
    guard.trigger(HANGUP, signal.SIGHUP)
    assert rec.done.wait(3.0), "the watchdog did not end the process"
    assert rec.sealed == [HANGUP] and rec.codes == [128 + signal.SIGHUP]
    assert time.monotonic() - rec.started < 1.5


def test_a_second_sigterm_does_not_wait_for_the_grace_period() -> None:
    rec = Recorder()
    guard = guard_for(rec, grace_s=30.0)
    guard.trigger("sigterm", signal.SIGTERM)
    guard.trigger("sigterm", signal.SIGTERM)
    assert rec.done.wait(2.0), "a second SIGTERM must end the process at once"
    assert rec.sealed == ["sigterm"] and rec.codes == [143]


def test_a_closed_pty_is_seen_as_a_hangup_without_reading_it() -> None:
    rec = Recorder()
    guard = guard_for(rec, grace_s=30.0)
    guard.attach(rec.on_exit)
    master, slave = pty.openpty()
    try:
        guard.watch_terminal(slave)
        os.write(master, b"k")  # a key waiting: the watch must leave it to the app
        time.sleep(0.2)
        assert rec.exits == []
        os.close(master)
        end = time.monotonic() + 3.0
        while not rec.exits and time.monotonic() < end:
            time.sleep(0.02)
        assert rec.exits == [HANGUP]
    finally:
        os.close(slave)


def test_seal_log_writes_log_closed_once(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    log, _ = IncidentLog.open(path, clock=SystemClock())
    seal_log(log, HANGUP)
    seal_log(log, HANGUP)  # already released: nothing more is written, nothing raised
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["type"] for line in lines] == ["log.opened", "log.closed"]
    assert lines[-1]["data"]["reason"] == HANGUP
