"""Starts the cockpit in live, demo or replay mode: settings, log file, session, app."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.clock import Clock, SystemClock, parse_when
from cockpit.log.events import SourcesConfigured
from cockpit.permissions import Mode, Permissions
from cockpit.wiring import PlannedSource

if TYPE_CHECKING:
    from cockpit.app import AppOptions
    from cockpit.command.options import CommandOptions
    from cockpit.config import Settings
    from cockpit.log.store import IncidentLog
    from cockpit.session import LiveSession, Session


def _fail(message: str) -> int:
    print(f"cockpit: {message}", file=sys.stderr)
    return 2


def log_file(log_dir: Path, prefix: str, now: datetime) -> Path:
    """A new log path `<log_dir>/<prefix>-YYYYMMDDTHHMMSSZ-<pid>.jsonl` (dir made 0700)."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return log_dir / f"{prefix}-{now:%Y%m%dT%H%M%SZ}-{os.getpid()}.jsonl"


def run_live(
    *,
    config: str | None,
    env: str | None,
    read_only: bool,
    log: str | None,
    incident: str | None = None,
) -> int:
    """`cockpit`: poll the configured sources, record into a log, show the dashboard."""
    guard_exits()
    from cockpit.config import ConfigError, load_settings
    from cockpit.log.recovery import LogError
    from cockpit.record import open_log

    environ = dict(os.environ)
    try:
        settings = load_settings(config, env_name=env, environ=environ)
    except ConfigError as err:
        return _fail(str(err))
    from cockpit.log.rotation import prune_watch_logs

    clock = SystemClock()
    log_dir = settings.incident.log_dir
    prune_watch_logs(log_dir, settings.incident.watch_log_keep_hours, clock.now())
    prefix = f"shared-{incident}" if incident else "watch"
    path = Path(log) if log else log_file(log_dir, prefix, clock.now())
    try:
        incident_log, report = open_log(
            settings, environ, path, incident, clock, mode="live", from_start=True
        )
    except (LogError, ConfigError) as err:
        return _fail(str(err))
    _seal_on_exit(incident_log)
    if report.torn is not None:
        print(f"cockpit: {report.summary()}", file=sys.stderr)

    try:
        session, options = live_session(settings, environ, incident_log, clock, read_only=read_only)
    except ConfigError as err:
        incident_log.close()
        return _fail(str(err))
    return _run(session, options, clock, incident_log.path)


def live_session(
    settings: Settings,
    environ: Mapping[str, str],
    incident_log: IncidentLog,
    clock: Clock,
    *,
    read_only: bool = False,
) -> tuple[LiveSession, AppOptions]:
    """The live session and app options for loaded settings (shared by `cockpit` and tests)."""
    from cockpit.app import AppOptions
    from cockpit.screens.header import HeaderInfo
    from cockpit.session import LiveSession
    from cockpit.step_wiring import step_targets
    from cockpit.wiring import build_sources, sources_event

    targets = step_targets(settings, environ)

    def planner() -> tuple[Sequence[PlannedSource], SourcesConfigured]:
        planned = build_sources(settings, environ)
        return planned, sources_event(settings, planned)

    active = settings.active
    permissions = Permissions.decide(
        Mode.LIVE,
        read_only=read_only,
        environment=active.name,
        environment_read_only=active.read_only,
        production=active.production,
        role=settings.config.user.role,
    )
    header = HeaderInfo(
        "LIVE", active.name, active.production, permissions.read_only,
        active.kubernetes.context or "",
    )  # fmt: skip
    options = AppOptions(
        header=header,
        permissions=permissions,
        refresh_s=settings.config.ui.refresh_seconds,
        author=settings.author,
        command=command_options(settings, environ),
        targets=lambda: targets,
        runbook_dirs=tuple(str(p) for p in settings.config.runbooks.paths),
    )
    return LiveSession(incident_log, planner, clock), options


def command_options(settings: Settings, environ: Mapping[str, str]) -> CommandOptions:
    """Incident-command wiring from settings (ConfigError when a referenced secret is missing)."""
    from cockpit.command.options import CommandOptions
    from cockpit.command.setup import pd_config, policy_from_settings

    pd = settings.pagerduty
    page = settings.statuspage
    return CommandOptions(
        policy=policy_from_settings(settings),
        pagerduty=pd_config(pd, environ) if (pd.token_env or pd.token_file) else None,
        webhook_url=page.resolved_webhook_url(environ),
        statuspage_private=page.private,
        statuspage_timeout_s=page.timeout_seconds,
        leak_terms=tuple(settings.incident.leak_terms),
    )


def run_demo(
    *,
    read_only: bool,
    speed: float = 1.0,
    log_dir: Path | None = None,
    config: str | None = None,
    env: str | None = None,
) -> int:
    """`cockpit demo`: the same cockpit against the simulated platform on loopback."""
    guard_exits()
    from cockpit.config import ConfigError
    from cockpit.demo_setup import DemoSetup, demo_settings
    from cockpit.log.store import IncidentLog
    from cockpit.session import LiveSession

    try:
        settings = demo_settings(config, env, dict(os.environ))
    except ConfigError as err:
        return _fail(str(err))
    clock = SystemClock()
    setup = DemoSetup(settings, clock, speed=speed, read_only=read_only)
    path = log_file(log_dir or setup.log_dir(), "demo", clock.now())
    incident_log, _report = IncidentLog.open(path, clock=clock, mode="demo")
    _seal_on_exit(incident_log)
    options = setup.app_options()
    session = LiveSession(incident_log, setup.planner, clock, mode="DEMO", on_stop=setup.stop)
    return _run(session, options, clock, incident_log.path)


def run_replay(*, log: str, speed: float, at: str | None) -> int:
    """`cockpit replay LOG`: the recorded incident in the same screens, read-only."""
    guard_exits()
    from cockpit.app import AppOptions
    from cockpit.log.reader import LogReader, ReadError
    from cockpit.screens.header import HeaderInfo
    from cockpit.session import ReplaySession

    if not 1.0 <= speed <= 64.0:
        return _fail(f"--speed must be between 1 and 64, not {speed:g}")
    try:
        first = next(iter(LogReader(log)), None)
    except ReadError as err:
        return _fail(f"{log}: {err}")
    if first is None:
        return _fail(f"{log}: the log is empty")
    clock = SystemClock()
    session = ReplaySession(log, clock, speed=speed)
    if at is not None:
        try:
            session.player.seek(parse_when(at, first.event.ts))
        except ValueError as err:
            return _fail(f"--at {at!r}: {err}")
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    return _run(session, options, clock, log)


def guard_exits() -> None:
    """From process start on, SIGHUP, SIGTERM and SIGINT end the cockpit with a sealed log.

    Called first by every mode, before the log is opened: a signal that arrives while the
    process is still starting is kept, and `_run` closes the log with its reason."""
    from cockpit.hangup import GUARD

    GUARD.install()


def _seal_on_exit(incident_log: IncidentLog) -> None:
    """From now on a hangup or signal that finds the process stuck still closes this log."""
    from cockpit.hangup import GUARD, seal_log

    GUARD.seal_with(lambda reason: seal_log(incident_log, reason))


def _run(session: Session, options: AppOptions, clock: Clock, log_path: str) -> int:
    from cockpit.hangup import GUARD, seal

    guard_exits()
    GUARD.seal_with(lambda reason: seal(session, reason))
    if GUARD.reason is not None:  # hung up or told to stop before the app could start
        seal(session, GUARD.reason)
        return 0
    # Textual sizes the screen with shutil.get_terminal_size(), which prefers COLUMNS and
    # LINES over the terminal: a stale pair inherited from a parent (seen with tmux servers
    # started from scripts) pins the layout to the wrong size and makes resizes no-ops.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    from cockpit.app import CockpitApp
    from cockpit.screens.driver import HangupDriver

    app = CockpitApp(session, options, clock=clock)
    app.driver_class = HangupDriver  # EOF or EIO on the terminal is a hangup, not a spin
    code = app.run()
    GUARD.detach()
    if GUARD.reason is not None:  # the app may have stopped before it could close the log
        seal(session, GUARD.reason)
    with contextlib.suppress(OSError, ValueError):  # the terminal may be gone (hangup)
        print(f"cockpit: incident log {log_path}", file=sys.stderr)
    # After an unhandled exception run() returns None and the code is in return_code.
    return int(code or app.return_code or 0)


def sample_log() -> Path:
    """The demo recording shipped in the package (for `cockpit replay --sample`)."""
    from importlib.resources import files

    return Path(str(files("cockpit").joinpath("data/demo-sample.jsonl")))
