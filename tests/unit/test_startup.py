"""The one startup builder: what each mode is started with, and what it does not import."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cleanpy import run_clean

from cockpit import startup
from cockpit.clock import FrozenClock
from cockpit.config import ConfigError
from cockpit.log.events import NoteAdded
from cockpit.permissions import Capability, Mode
from cockpit.session import LiveSession

START = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)

CONFIG = """
[user]
name = "ana"

[postgres]
dsn_env = "T_PG_DSN"

[environments.prod]
production = true

[kubernetes]
context = "eu-prod"

[ui]
refresh_seconds = 5
"""


def test_live_startup_carries_the_settings_and_one_permission_decision(tmp_path: Path) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text(CONFIG, encoding="utf-8")
    environ = {"T_PG_DSN": "host=127.0.0.1 port=9 dbname=x"}
    settings = startup.load_settings(str(config), "prod", environ)
    clock = FrozenClock(START)
    log, _ = startup.open_log(tmp_path / "l.jsonl", clock, environ)
    try:
        started = startup.live(settings, environ, log, clock, read_only=True)
    finally:
        log.close()
    assert isinstance(started.session, LiveSession)
    assert (started.mode, started.environment, started.production) == ("LIVE", "prod", True)
    assert started.context == "eu-prod"
    assert started.refresh_s == 5
    assert started.author == settings.author
    assert started.permissions.mode is Mode.LIVE
    assert not started.permissions.allows(Capability.WRITE_PLATFORM)


def test_an_unreadable_dsn_still_stops_the_live_start(tmp_path: Path) -> None:
    """The runbook step targets are built when a step first asks, but what they read (the
    DSN secret here) is read when the cockpit starts, as it was."""
    config = tmp_path / "cockpit.toml"
    config.write_text(CONFIG, encoding="utf-8")
    settings = startup.load_settings(str(config), None, {})
    clock = FrozenClock(START)
    log, _ = startup.open_log(tmp_path / "l.jsonl", clock, {})
    try:
        with pytest.raises(ConfigError, match="T_PG_DSN"):
            startup.live(settings, {}, log, clock)
    finally:
        log.close()


def test_open_log_is_keyed_from_the_environment_and_says_why_it_cannot_open(
    tmp_path: Path,
) -> None:
    clock = FrozenClock(START)
    path = tmp_path / "keyed.jsonl"
    log, _ = startup.open_log(path, clock, {"COCKPIT_LOG_KEY": "k1"})
    log.append(NoteAdded(note_id="n1", text="hello", author="ana"))
    log.close()
    with pytest.raises(startup.StartupError, match=r"\S"):
        startup.open_log(path, clock, {})  # a keyed chain without its key is refused
    assert startup.log_key({"COCKPIT_LOG_KEY": ""}) is None


@pytest.mark.parametrize(
    ("speed", "content", "expected"),
    [
        (0.5, None, "--speed must be between 1 and 64, not 0.5"),
        (1.0, "", "the log is empty"),
    ],
)
def test_replay_refuses_with_a_reason(
    tmp_path: Path, speed: float, content: str | None, expected: str
) -> None:
    log = tmp_path / "r.jsonl"
    log.write_text(content or "", encoding="utf-8")
    with pytest.raises(startup.StartupError) as err:
        startup.replay(str(log), FrozenClock(START), speed=speed, at=None)
    assert expected in str(err.value)


def test_the_live_builder_imports_neither_textual_nor_the_platform_nor_clients(
    tmp_path: Path,
) -> None:
    """Settings, log and session are ready without Textual (the launcher imports it), the
    simulated platform, a source's client package (imported when polling starts), pydantic,
    the Slack/GitHub outbox when neither is enabled, the PagerDuty command when PagerDuty
    is not configured, or the runbook step targets (built when a step first asks)."""
    config = tmp_path / "cockpit.toml"
    config.write_text(CONFIG, encoding="utf-8")
    code = f"""
import sys
from pathlib import Path
from cockpit import startup
from cockpit.clock import FrozenClock
from datetime import datetime, UTC
environ = {{"T_PG_DSN": "host=127.0.0.1 port=9 dbname=x"}}
clock = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
settings = startup.load_settings({str(config)!r}, None, environ)
log, _ = startup.open_log(Path({str(tmp_path / "d.jsonl")!r}), clock, environ)
started = startup.live(settings, environ, log, clock)
assert started.mode == "LIVE"
bad = sorted(m for m in sys.modules if m.startswith(
    ("textual", "cockpit.sim", "httpx", "psycopg", "pydantic", "cockpit.outbox",
     "cockpit.command.pagerduty", "cockpit.runbook", "cockpit.clients.kubernetes")))
targets = started.targets()
assert targets is started.targets() and targets.where.exec_host
log.close()
print(",".join(bad))
"""
    stdout = run_clean(code)
    assert stdout.strip() == ""


def test_the_app_module_loads_no_action_outcome_nor_runbook_executor() -> None:
    """What the first frame does not use stays unloaded until a key needs it: the outcome
    classes of an action, the PagerDuty mirror, the runbook step executors and targets."""
    code = """
import sys
import cockpit.app
bad = sorted(m for m in sys.modules if m.startswith(
    ("cockpit.actions.outcome", "cockpit.command.mirror", "cockpit.command.pagerduty",
     "cockpit.runbook", "cockpit.clients", "cockpit.step_wiring")))
print(",".join(bad))
"""
    stdout = run_clean(code)
    assert stdout.strip() == ""
