"""The launcher decides the permissions once per session, from the config and the flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from actions_support import START

from cockpit.clock import FrozenClock
from cockpit.config import load_settings
from cockpit.launch import live_session
from cockpit.log.store import IncidentLog
from cockpit.permissions import Capability, Mode

CONFIG = """
[user]
name = "ana"
role = "{role}"

[environments.staging]
color = "yellow"

[environments.prod]
read_only = {prod_read_only}
production = true
"""


@pytest.mark.parametrize(
    ("env", "role", "flag", "prod_read_only", "external", "command"),
    [
        ("staging", "responder", False, "false", True, True),
        ("staging", "responder", True, "false", False, True),
        ("prod", "responder", False, "true", False, True),
        ("prod", "responder", False, "false", True, True),
        ("staging", "viewer", False, "false", False, False),
    ],
)
def test_live_session_permissions_come_from_settings_and_flag(
    tmp_path: Path, env: str, role: str, flag: bool, prod_read_only: str, external: bool,
    command: bool,
) -> None:  # fmt: skip
    config = tmp_path / "cockpit.toml"
    config.write_text(CONFIG.format(role=role, prod_read_only=prod_read_only), encoding="utf-8")
    settings = load_settings(str(config), env_name=env, environ={})
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "l.jsonl", clock=clock)
    try:
        _session, options = live_session(settings, {}, log, clock, read_only=flag)
    finally:
        log.close()
    permissions = options.permissions
    assert permissions.mode is Mode.LIVE and permissions.environment == env
    assert permissions.production == (env == "prod")
    assert permissions.allows(Capability.EXTERNAL) is external
    assert permissions.allows(Capability.WRITE_PLATFORM) is external
    assert permissions.allows(Capability.COMMAND) is command
    assert permissions.allows(Capability.RECORD)
    assert options.header.read_only is not external
    assert options.read_only is not external  # what the runbook screen reads
