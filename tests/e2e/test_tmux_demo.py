"""End to end: the installed `cockpit` runs in a real terminal (tmux) and quits cleanly."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

import pytest

pytestmark = pytest.mark.e2e


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], capture_output=True, text=True, check=True, timeout=10
    ).stdout


def wait_for_screen(session: str, needle: str, deadline_s: float = 15.0) -> str:
    end = time.monotonic() + deadline_s
    screen = ""
    while time.monotonic() < end:
        screen = tmux("capture-pane", "-p", "-t", session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not on screen after {deadline_s}s:\n{screen}")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_demo_opens_and_quits_in_tmux(size: tuple[int, int]) -> None:
    cockpit = shutil.which("cockpit")
    if shutil.which("tmux") is None or cockpit is None:
        pytest.fail("tmux and the installed `cockpit` command are required (run `make setup`)")
    session = f"cockpit-e2e-{uuid.uuid4().hex[:8]}"
    width, height = size
    tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        str(width),
        "-y",
        str(height),
        "-e",
        "TERM=xterm-256color",
        # A stale pair inherited from a parent must not pin the layout to 80x24.
        "-e",
        "COLUMNS=80",
        "-e",
        "LINES=24",
        "-c",
        "/tmp",
        cockpit,
        "demo",
    )
    try:
        wait_for_screen(session, "DEMO")
        screen = wait_for_screen(session, "Alerts")
        lines = screen.splitlines()
        assert len(lines) <= height
        assert all(len(line) <= width for line in lines)
        assert max(len(line.rstrip()) for line in lines) > width - 5  # the full width is used
        if width >= 140:
            assert "Kafka lag" in screen and "Tenant quotas" in screen  # the 2x2 grid
        tmux("send-keys", "-t", session, "q")
        end = time.monotonic() + 10
        while time.monotonic() < end:
            alive = subprocess.run(["tmux", "has-session", "-t", session], capture_output=True)
            if alive.returncode != 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("cockpit did not quit on `q`")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
