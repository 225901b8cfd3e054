"""Every kind of secret, pushed through every failure path: none reaches any output."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.clock import SystemClock
from cockpit.feed import ObservationFeed
from cockpit.log.store import IncidentLog
from cockpit.settings.secrets import Secret
from cockpit.sim.httpfake import FakeServer, Reply, Request
from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.base import SourceError
from cockpit.sources.postgres import PostgresConnections

ROOT = Path(__file__).resolve().parents[2]

SECRETS = {
    "PGDSN_PASSWORD": "pg-Pa55w0rd-7f3a",
    "PAGERDUTY_TOKEN": "pd-token-u+2Qx8ZkR1",
    "PAGERDUTY_ROUTING_KEY": "R0UT1NGKEY0123456789abcdef012345",
    "PROM_TOKEN": "prom-bearer-9c1e55",
    "AM_API_KEY": "am-apikey-44d0aa",
    "STATUSPAGE_WEBHOOK_URL": "https://status.example.com/hooks/wh-S3CR3T-77",
}
"""One value per kind of secret; the tests look for each of them (and distinctive parts)."""

NEEDLES = (*SECRETS.values(), "wh-S3CR3T-77")


def environ(dsn: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT")}
    env.update({k: v for k, v in SECRETS.items() if k != "PGDSN_PASSWORD"})
    env["PGDSN"] = dsn
    env["PYTHONPATH"] = str(ROOT)
    return env


def config(
    tmp_path: Path, prom: str = "http://127.0.0.1:9", am: str = "http://127.0.0.1:9"
) -> Path:
    text = f"""
    [prometheus]
    url = "{prom}"
    bearer_token_env = "PROM_TOKEN"
    timeout_seconds = 0.5
    [alertmanager]
    url = "{am}"
    headers_env = {{ "X-Api-Key" = "AM_API_KEY" }}
    timeout_seconds = 0.5
    [postgres]
    dsn_env = "PGDSN"
    [pagerduty]
    token_env = "PAGERDUTY_TOKEN"
    routing_key_env = "PAGERDUTY_ROUTING_KEY"
    api_url = "http://127.0.0.1:9"
    [statuspage]
    webhook_url_env = "STATUSPAGE_WEBHOOK_URL"
    [incident]
    log_dir = "{tmp_path / "logs"}"
    """
    path = tmp_path / "cockpit.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def assert_clean(*texts: str) -> None:
    for text in texts:
        for needle in NEEDLES:
            assert needle not in text, f"secret {needle[:6]}... leaked in: {text[:400]!r}"


def everything_written(tmp_path: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*") if p.is_file()
    )


def cockpit(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cockpit", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


BAD_DSN = f"host=127.0.0.1 password={SECRETS['PGDSN_PASSWORD']} port"


def test_a_malformed_dsn_is_one_line_naming_the_key_and_nothing_else(tmp_path: Path) -> None:
    done = cockpit("--config", str(config(tmp_path)), env=environ(BAD_DSN), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "cockpit: [postgres] dsn_env PGDSN: not a valid connection string "
        "(missing \"=\" after keyword 'port')"
    ]
    assert "Traceback" not in done.stderr
    assert_clean(done.stdout, done.stderr, everything_written(tmp_path))


def test_config_check_warns_about_the_dsn_without_showing_it(tmp_path: Path) -> None:
    done = cockpit("config", "check", str(config(tmp_path)), env=environ(BAD_DSN), cwd=tmp_path)
    assert "postgres.dsn_env: environment variable PGDSN holds no valid connection" in done.stderr
    assert done.stdout.startswith("OK:")
    assert_clean(done.stdout, done.stderr)


CRASHING_APP = """
import os, sys
from pathlib import Path
from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock
from cockpit.log.store import IncidentLog
from cockpit.screens.header import HeaderInfo
from cockpit.session import LiveSession
from cockpit.settings.model import Settings
from cockpit.config import load_settings
from cockpit.wiring import build_sources, sources_event

environ = dict(os.environ)
settings = load_settings(sys.argv[1], environ=environ)
token = settings.pagerduty.token(environ)
routing = environ["PAGERDUTY_ROUTING_KEY"]
dsn = settings.active.postgres.conninfo(environ)

def planner():
    planned = build_sources(settings, environ)
    headers = settings.active.alertmanager.resolved_headers(environ)
    plain = {k: (v.reveal() if hasattr(v, "reveal") else v) for k, v in headers.items()}
    raise RuntimeError(f"planner broke with {dsn} and {plain}")

clock = SystemClock()
log, _ = IncidentLog.open(Path(sys.argv[2]), clock=clock)
app = CockpitApp(LiveSession(log, planner, clock), AppOptions(header=HeaderInfo("LIVE")))
app.run(headless=True, size=(100, 30))
print("exit", app.return_code)
"""


def test_a_crash_report_has_no_locals_and_no_secret(tmp_path: Path) -> None:
    dsn = f"host=127.0.0.1 port=9 dbname=kyc password={SECRETS['PGDSN_PASSWORD']}"
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_APP, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(config(tmp_path)), str(tmp_path / "crash.jsonl")],
        env=environ(dsn),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    report = done.stdout + done.stderr
    assert "RuntimeError: planner broke with" in report, report[-2000:]
    assert "exit 1" in done.stdout
    assert "locals" not in report and "environ = " not in report
    assert "***" in report
    assert_clean(report, everything_written(tmp_path))


class Echo(FakeServer):
    """A server that refuses every request and echoes the credentials it was sent."""

    def route(self, request: Request) -> Reply:
        echoed = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        return Reply(401, json.dumps({"error": f"denied for {echoed}"}).encode())


@pytest.fixture
def echo() -> Iterator[Echo]:
    server = Echo()
    server.start()
    yield server
    server.stop()


async def test_source_failures_logs_and_exports_carry_no_secret(echo: Echo, tmp_path: Path) -> None:
    headers: dict[str, str | Secret] = {"X-Api-Key": Secret(SECRETS["AM_API_KEY"])}
    token = Secret(SECRETS["PROM_TOKEN"])
    am = AlertmanagerAlerts(echo.url, headers=headers, bearer_token=token, timeout_s=2)
    dsn = Secret(f"host=127.0.0.1 port=9 connect_timeout=2 password={SECRETS['PGDSN_PASSWORD']}")
    pg = PostgresConnections(dsn, timeout_s=3)
    path = tmp_path / "secrets.jsonl"
    log, _ = IncidentLog.open(path, clock=SystemClock())
    feed = ObservationFeed(log, SystemClock())
    for source in (am, pg):
        began = time.monotonic()
        with pytest.raises(SourceError) as info:
            await source.poll()
        await source.aclose()
        assert_clean(info.value.message, str(info.value), repr(info.value))
        feed.on_result(source.name, info.value, began)
    assert "***" in path.read_text(encoding="utf-8")  # the echo was there, and masked
    log.close()
    await asyncio.sleep(0)
    out = tmp_path / "pm.md"
    done = cockpit("export", str(path), "-o", str(out), env=environ(""), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout, done.stderr, everything_written(tmp_path))
    assert_clean(repr(headers), repr(token), repr(dsn), f"{dsn}", str(token))


def test_the_recorder_refuses_a_bad_dsn_in_one_line(tmp_path: Path) -> None:
    log = tmp_path / "rec.jsonl"
    args = ("record", "--config", str(config(tmp_path)), "--log", str(log), "--duration", "1")
    done = cockpit(*args, env=environ(BAD_DSN), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "cockpit record: [postgres] dsn_env PGDSN: not a valid connection string "
        "(missing \"=\" after keyword 'port')"
    ]
    assert_clean(done.stdout, done.stderr, everything_written(tmp_path))


def test_the_recorder_with_every_source_down_writes_no_secret(tmp_path: Path) -> None:
    dsn = f"host=127.0.0.1 port=9 dbname=kyc password={SECRETS['PGDSN_PASSWORD']}"
    log = tmp_path / "rec.jsonl"
    args = ("record", "--config", str(config(tmp_path)), "--log", str(log), "--duration", "2")
    done = cockpit(*args, env=environ(dsn), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = log.read_text(encoding="utf-8")
    assert text.count('"type":"source.failed"') >= 3
    assert_clean(done.stdout, done.stderr, everything_written(tmp_path))
