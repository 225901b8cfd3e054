"""After q, Ctrl-Q, Ctrl-C, SIGTERM, SIGINT, SIGHUP or a crash: a usable terminal, a sound log."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

CRASH = """
import sys
from cockpit.screens.dashboard import DashboardScreen
real = DashboardScreen.refresh_from
calls = []
def refresh_then_crash(self, ctx):
    calls.append(1)
    if ctx.state.health and len(calls) > 2:
        raise RuntimeError("injected failure after the first frames")
    return real(self, ctx)
DashboardScreen.refresh_from = refresh_then_crash
from cockpit.cli import main
sys.exit(main(["demo"]))
"""


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], capture_output=True, text=True, check=True, timeout=10
    ).stdout


def wait_for(check: Callable[[], bool], what: str, within_s: float = 15.0) -> None:
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {within_s:.0f} s")


def cockpit_pid(session: str) -> int:
    shell = tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()
    children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def start(tmp: Path, argv: list[str]) -> str:
    """Run `argv` in a new tmux session through a shell that records what follows its exit."""
    session = f"cockpit-hyg-{uuid.uuid4().hex[:8]}"
    script = tmp / "run.sh"
    script.write_text(
        "#!/bin/sh\n"
        f"{shlex.join(argv)}\n"
        f'echo "$?" > {shlex.quote(str(tmp / "exit"))}\n'
        f"stty -a > {shlex.quote(str(tmp / 'stty'))}\n"
        "sleep 60\n"
    )
    script.chmod(0o700)
    # The tmux server keeps the environment of whoever started it: pass PYTHONPATH on, so
    # the cockpit under test is the one this test run imports.
    path = ("-e", f"PYTHONPATH={os.environ['PYTHONPATH']}") if "PYTHONPATH" in os.environ else ()
    tmux(
        "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
        "-e", "TERM=xterm-256color", "-e", f"XDG_DATA_HOME={tmp / 'data'}", *path,
        "-c", str(tmp), str(script),
    )  # fmt: skip
    return session


def the_log(tmp: Path) -> Path:
    logs = sorted((tmp / "data" / "cockpit" / "logs").glob("demo-*.jsonl"))
    assert len(logs) == 1, logs
    return logs[0]


def polled(tmp: Path) -> bool:
    logs = list((tmp / "data" / "cockpit" / "logs").glob("demo-*.jsonl"))
    return bool(logs) and logs[0].read_bytes().count(b"\n") >= 3  # header, sources, a poll


def by_key(key: str) -> Callable[[str], None]:
    return lambda session: tmux("send-keys", "-t", session, key)


def by_signal(sig: signal.Signals) -> Callable[[str], None]:
    return lambda session: os.kill(cockpit_pid(session), sig)


ENDINGS: dict[str, tuple[Callable[[str], None], str | None]] = {
    "q": (by_key("q"), "quit"),
    "ctrl-q": (by_key("C-q"), "quit"),
    "ctrl-c": (by_key("C-c"), "quit"),
    "sigterm": (by_signal(signal.SIGTERM), "sigterm"),
    "sigint": (by_signal(signal.SIGINT), "sigint"),
    "sighup": (by_signal(signal.SIGHUP), "hangup"),
    "crash": (lambda _session: None, None),
}
"""How the cockpit ends, and the `log.closed` reason it must write (a crash may write none)."""


@pytest.mark.parametrize("ending", ENDINGS)
def test_terminal_restored_and_log_sound(ending: str, tmp_path: Path) -> None:
    cockpit = shutil.which("cockpit")
    if shutil.which("tmux") is None or cockpit is None:
        pytest.fail("tmux and the installed `cockpit` command are required (run `make setup`)")
    trigger, closes = ENDINGS[ending]
    argv = [sys.executable, "-c", CRASH] if ending == "crash" else [cockpit, "demo"]
    session = start(tmp_path, argv)
    try:
        wait_for(lambda: "DEMO" in tmux("capture-pane", "-p", "-t", session), "first frame")
        wait_for(lambda: polled(tmp_path), "a first poll in the log")
        trigger(session)
        wait_for(lambda: (tmp_path / "stty").exists(), f"cockpit gone after {ending}", 15.0)
        flags = tmux(
            "display-message", "-p", "-t", session,
            "#{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag} #{mouse_all_flag} #{cursor_flag}",
        ).split()  # fmt: skip
        screen = tmux("capture-pane", "-p", "-t", session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert flags == ["0", "0", "0", "0", "1"], f"alt screen, mouse x3, cursor: {flags}"
    modes = (tmp_path / "stty").read_text().split()
    assert {"icanon", "echo", "isig", "icrnl", "opost"} <= set(modes), modes
    code = (tmp_path / "exit").read_text().strip()
    if ending == "crash":
        assert code != "0" and "injected failure" in screen, (code, screen)
    else:
        assert code == "0" and "Traceback" not in screen, (code, screen)
    verify = subprocess.run(
        [cockpit, "verify", str(the_log(tmp_path))], capture_output=True, text=True, timeout=30
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    last = json.loads(the_log(tmp_path).read_text(encoding="utf-8").splitlines()[-1])
    if closes is not None:
        assert last["type"] == "log.closed", last["type"]
        assert last["data"]["reason"] == closes, last
