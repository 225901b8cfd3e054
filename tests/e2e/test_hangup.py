"""A lost terminal or a SIGTERM at any moment from startup on: gone within 2 s, log sealed.

The installed `cockpit demo` and `cockpit --config F` (against the loopback stack) run on a
real pty. At a random moment from 0 to 3 s the pty is closed (as an SSH drop or a killed
tmux pane does, with and without the pty being the controlling terminal, i.e. with and
without a SIGHUP), or SIGTERM is sent. The process must be gone within 2 s, leave nothing
behind in its session, and every log it created must verify and end with `log.closed`
giving the reason. A hangup before the log exists may leave no log at all.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import random
import select
import shutil
import signal
import struct
import subprocess
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from stack.stack import Stack

from cockpit.log.verify import verify

pytestmark = [pytest.mark.e2e, pytest.mark.servers]

DEADLINE_S = 2.0
SEED = 12
"""Fixed, so a failure names its delay and can be reproduced."""


@dataclass(frozen=True, slots=True)
class Trial:
    """One run: which cockpit, what ends it, when, and whether the pty is its terminal."""

    mode: str
    ending: str
    delay_s: float
    controlling: bool


class PtyCockpit:
    """A cockpit on its own pty; the output is drained until the pty is closed."""

    def __init__(self, argv: list[str], env: dict[str, str], *, controlling: bool) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))

        def session() -> None:
            os.setsid()
            if controlling:  # what tmux and sshd do: then the kernel also sends SIGHUP
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env,
            preexec_fn=session, close_fds=True,
        )  # fmt: skip
        os.close(slave)
        self._stop = threading.Event()
        self._closed = threading.Event()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        # The master is closed here, not from another thread while a read on it blocks:
        # the kernel would keep the pty open until that read returned.
        while not self._stop.is_set():
            if select.select([self.master], [], [], 0.02)[0]:
                try:
                    if not os.read(self.master, 65536):
                        break
                except OSError:
                    break
        os.close(self.master)
        self._closed.set()

    def hang_up(self) -> None:
        """Close the terminal, as a dropped SSH connection or a killed tmux pane does."""
        self._stop.set()
        self._closed.wait(5)

    def gone_within(self, seconds: float) -> float | None:
        """Seconds until the process exited, or None if it still ran after `seconds`."""
        start = time.monotonic()
        try:
            self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None
        return time.monotonic() - start

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._stop.set()


def left_in_session(sid: int) -> list[str]:
    """Processes still in the session the cockpit led (its orphans)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # after the ")": state, ppid, pgrp, session
            found.append(stat.parent.name)
    return found


def check_logs(log_dir: Path, reason: str) -> int:
    """Every log verifies and ends with `log.closed` for `reason`; returns how many."""
    logs = sorted(log_dir.glob("*.jsonl"))
    for path in logs:
        report = verify(path, None)
        assert report.ok, f"{path.name}: {report.summary}"
        last = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
        assert last["type"] == "log.closed", f"{path.name} not sealed: ends with {last['type']}"
        assert last["data"]["reason"] == reason, last
    return len(logs)


def trials() -> list[Trial]:
    rng = random.Random(SEED)
    plan = [
        ("demo", "hangup", True), ("demo", "hangup", False), ("live", "hangup", True),
        ("live", "hangup", False), ("demo", "hangup", False), ("live", "hangup", True),
        ("demo", "hangup", True), ("live", "hangup", False),
        ("demo", "sigterm", False), ("live", "sigterm", False),
    ]  # fmt: skip
    # One trial in the first instant of startup, the rest spread over 0-3 s.
    delays = [0.0, *(round(rng.uniform(0.0, 3.0), 2) for _ in plan[1:])]
    return [Trial(m, e, d, c) for (m, e, c), d in zip(plan, delays, strict=True)]


def live_config(tmp: Path, stack: Stack) -> Path:
    config = tmp / "cockpit.toml"
    config.write_text(
        f'[prometheus]\nurl = "{stack.prometheus.url}"\n\n'
        f'[alertmanager]\nurl = "{stack.alertmanager.url}"\n\n'
        '[postgres]\ndsn_env = "E2E_PG_DSN"\n\n'
        f'[incident]\nlog_dir = "{tmp / "logs"}"\n\n[ui]\nrefresh_seconds = 1\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("trial", trials(), ids=lambda t: f"{t.mode}-{t.ending}-{t.delay_s}s")
def test_gone_within_two_seconds_with_the_log_sealed(
    trial: Trial, tmp_path: Path, stack: Stack
) -> None:
    cockpit = shutil.which("cockpit")
    assert cockpit is not None, "the installed `cockpit` command is required (make setup)"
    env = {**os.environ, "TERM": "xterm-256color", "E2E_PG_DSN": stack.pg.ro_dsn}
    if trial.mode == "demo":
        env["XDG_DATA_HOME"] = str(tmp_path / "data")
        argv, log_dir = [cockpit, "demo"], tmp_path / "data" / "cockpit" / "logs"
    else:
        argv, log_dir = [cockpit, "--config", str(live_config(tmp_path, stack))], tmp_path / "logs"
    run = PtyCockpit(argv, env, controlling=trial.controlling)
    try:
        time.sleep(trial.delay_s)
        if trial.ending == "hangup":
            run.hang_up()
        else:
            os.kill(run.proc.pid, signal.SIGTERM)
        took = run.gone_within(DEADLINE_S)
        orphans = left_in_session(run.proc.pid)
    finally:
        run.kill()
    assert took is not None, f"still running {DEADLINE_S} s after the {trial.ending}"
    assert orphans == [], f"left behind in the session: {orphans}"
    logs = check_logs(log_dir, "hangup" if trial.ending == "hangup" else "sigterm")
    if trial.delay_s >= 2.5:  # well after startup there is a log, and it was sealed
        assert logs == 1


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_an_ended_pipe_on_stdin_is_not_read_in_a_loop(tmp_path: Path) -> None:
    """Input that ends (a pipe, not a terminal) stops the key reader: no 100 % CPU."""
    cockpit = shutil.which("cockpit")
    assert cockpit is not None
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "XDG_DATA_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [cockpit, "replay", "--sample"], stdin=subprocess.PIPE, stdout=slave, stderr=slave,
        env=env, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    assert proc.stdin is not None
    proc.stdin.close()  # EOF at once
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    return

    threading.Thread(target=drain, daemon=True).start()
    try:
        time.sleep(4.0)  # started and settled
        assert proc.poll() is None, "a replay with no keys to read should keep showing"
        before = cpu_seconds(proc.pid)
        time.sleep(2.0)
        used = cpu_seconds(proc.pid) - before
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=DEADLINE_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stop.set()
        os.close(master)
    assert used < 0.6, f"{used:.2f} s of CPU in 2 s with stdin at its end"
