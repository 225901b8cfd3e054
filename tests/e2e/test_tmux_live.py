"""End to end: the installed `cockpit` against the real loopback stack, in tmux at both sizes."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from stack.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.servers]


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], capture_output=True, text=True, check=True, timeout=10
    ).stdout


def wait_for_screen(session: str, *needles: str, deadline_s: float = 25.0) -> str:
    end = time.monotonic() + deadline_s
    screen = ""
    while time.monotonic() < end:
        screen = tmux("capture-pane", "-p", "-t", session)
        if all(n in screen for n in needles):
            return screen
        time.sleep(0.3)
    size = tmux("display-message", "-p", "-t", session, "#{window_width}x#{window_height}")
    raise AssertionError(f"{needles!r} not on screen in {deadline_s}s ({size.strip()}):\n{screen}")


def start(tmp_path: Path, stack: Stack, size: tuple[int, int]) -> tuple[str, Path]:
    cockpit = shutil.which("cockpit")
    if shutil.which("tmux") is None or cockpit is None:
        pytest.fail("tmux and the installed `cockpit` command are required (run `make setup`)")
    config = tmp_path / "cockpit.toml"
    config.write_text(
        f"""
[prometheus]
url = "{stack.prometheus.url}"

[alertmanager]
url = "{stack.alertmanager.url}"

[postgres]
dsn_env = "E2E_PG_DSN"

[incident]
log_dir = "{tmp_path / "logs"}"

[ui]
refresh_seconds = 1
""",
        encoding="utf-8",
    )
    log = tmp_path / "e2e.jsonl"
    session = f"cockpit-live-{uuid.uuid4().hex[:8]}"
    width, height = size
    tmux(
        "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height),
        "-e", "TERM=xterm-256color", "-e", f"E2E_PG_DSN={stack.pg.ro_dsn}", "-c", "/tmp",
        # A short pause first: tmux may size a detached window just after it starts the
        # command, and the test is about values, not about a resize racing the first frame.
        "sh", "-c", 'sleep 0.5; exec "$0" "$@"',
        cockpit, "--config", str(config), "--log", str(log),
    )  # fmt: skip
    return session, log


def quit_and_wait(session: str) -> None:
    tmux("send-keys", "-t", session, "q")
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode:
            return
        time.sleep(0.2)
    raise AssertionError("cockpit did not quit on `q`")


@pytest.fixture
def e2e_values(stack: Stack, fresh_scenario: object) -> Iterator[int]:
    stack.scenario.set_gauge(
        "kafka_consumer_lag", 47_321, consumergroup="e2e-group", topic="e2e.topic", partition="0"
    )
    stack.scenario.set_gauge("tenant_checks_month", 4_990, tenant="e2e-tenant")
    stack.scenario.set_gauge("license_limit", 5_000, tenant="e2e-tenant")
    conns = [psycopg.connect(stack.pg.dsn, application_name="e2e-app") for _ in range(2)]
    try:
        yield len(conns)
    finally:
        for conn in conns:
            conn.close()


def test_wide_terminal_shows_the_four_panes_with_the_served_values(
    tmp_path: Path, stack: Stack, e2e_values: int
) -> None:
    session, log = start(tmp_path, stack, (200, 50))
    try:
        screen = wait_for_screen(session, "47,321", "e2e-tenant", "e2e-app", "LIVE")
        assert "99.8 %" in screen
        assert re.search(rf"e2e-app\s+{e2e_values}\b", screen)
        assert all(len(line) <= 200 for line in screen.splitlines())
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert subprocess.run(["cockpit", "verify", str(log)], capture_output=True).returncode == 0


def test_80x24_reaches_every_pane_by_number(tmp_path: Path, stack: Stack, e2e_values: int) -> None:
    session, _log = start(tmp_path, stack, (80, 24))
    try:
        screen = wait_for_screen(session, "Alerts", "LIVE")
        assert len(screen.splitlines()) <= 24
        tmux("send-keys", "-t", session, "2")
        wait_for_screen(session, "47,321")
        tmux("send-keys", "-t", session, "4")
        wait_for_screen(session, "e2e-tenant")
        tmux("send-keys", "-t", session, "3")
        wait_for_screen(session, "e2e-app")
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
