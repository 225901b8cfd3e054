"""`cockpit demo` on a pty: its embedded PostgreSQL is gone after SIGTERM or a hangup; and
`--config`/`--env` give the demo the configured scheme, PROD banner, read-only and log_dir."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_hangup import PtyCockpit

from cockpit.clock import FrozenClock
from cockpit.demo_setup import DemoSetup, demo_settings
from cockpit.domain.state import IncidentState
from cockpit.screens.header import header_text
from cockpit.sim.pg_orphans import alive, runtime_dir

WORKTREE = Path(__file__).resolve().parents[2]


def _record(owner: int, timeout_s: float = 30.0) -> dict[str, object]:
    """The embedded server's record for the demo process `owner`, once it is running."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path in runtime_dir().glob(f"{owner}-*.json"):
            data = json.loads(path.read_text())
            if (Path(str(data["dir"])) / ".s.PGSQL.5432").exists():
                return data
        time.sleep(0.2)
    raise AssertionError("the demo did not start its embedded PostgreSQL")


def _gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.e2e
@pytest.mark.parametrize("ending", ["sigterm", "hangup"])
def test_no_server_is_left_after_the_demo_ends(ending: str, tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "XDG_DATA_HOME": str(tmp_path),
           "PYTHONPATH": str(WORKTREE)}  # fmt: skip
    run = PtyCockpit([sys.executable, "-m", "cockpit", "demo"], env, controlling=True)
    try:
        record = _record(run.proc.pid)
        postmaster = int(str(record["postmaster"]))
        assert alive(postmaster)
        if ending == "sigterm":
            os.kill(run.proc.pid, signal.SIGTERM)
        else:
            run.hang_up()
        assert run.gone_within(3.0) is not None
    finally:
        run.kill()
    assert _gone(postmaster, 3.0), "the embedded PostgreSQL outlived the demo"
    assert not Path(str(record["dir"])).exists()
    assert not list(runtime_dir().glob(f"{run.proc.pid}-*.json"))


CONFIG = """
default_environment = "prod"

[incident]
severity_scheme = "p"
log_dir = "{log_dir}"

[environments.prod]
read_only = true

[environments.prod.prometheus]
url = "http://prometheus.prod.invalid:9090"

[environments.prod.postgres]
dsn = "host=db.prod.invalid dbname=kyc user=ro"
"""


def test_the_config_gives_scheme_banner_read_only_and_log_dir(tmp_path: Path) -> None:
    config = tmp_path / "cockpit.toml"
    config.write_text(CONFIG.format(log_dir=tmp_path / "logs"))
    settings = demo_settings(str(config), None, {})
    assert settings is not None
    clock = FrozenClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    setup = DemoSetup(settings, clock, with_postgres=False)
    try:
        options = setup.app_options()
        assert setup.log_dir() == tmp_path / "logs"
        assert options.command.policy.scheme.labels[0] == "P0"
        assert options.header.production and options.header.environment == "prod"
        assert options.permissions.read_only
        banner = header_text(options.header, IncidentState(), clock.now(), 2.0).plain
        assert "PROD" in banner and "DEMO" in banner
        # PagerDuty is the loopback fake, on-call L1..L4, never what a config names.
        pd = options.command.pagerduty
        assert pd is not None and pd.api_url.startswith("https://127.0.0.1:")
        setup.planner()
        targets = setup.targets()
        assert targets is not None and targets.prometheus_url is not None
        assert "127.0.0.1" in targets.prometheus_url and targets.postgres_dsn is None
    finally:
        setup.stop()
