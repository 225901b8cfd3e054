"""Starts the cockpit in live, demo or replay mode: guard, log, startup, then the app.

The modes are assembled by `cockpit.startup` (live, replay) and `cockpit.demo_setup` (demo);
this module only turns them into the Textual app and runs it. Nothing heavy is imported
before the exit guard is installed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.app import AppOptions, CockpitApp
    from cockpit.clock import Clock
    from cockpit.config import Settings
    from cockpit.demo_setup import DemoSetup
    from cockpit.drill_app import DrillApp
    from cockpit.log.store import IncidentLog
    from cockpit.session import LiveSession, Session
    from cockpit.startup import Startup


def _fail(message: str) -> int:
    print(f"cockpit: {message}", file=sys.stderr)
    return 2


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
    from cockpit import startup
    from cockpit.clock import SystemClock
    from cockpit.config import ConfigError

    environ = dict(os.environ)
    try:
        settings = startup.load_settings(config, env, environ)
    except ConfigError as err:
        return _fail(str(err))
    from cockpit.log.rotation import prune_watch_logs

    clock = SystemClock()
    log_dir = settings.incident.log_dir
    prune_watch_logs(log_dir, settings.incident.watch_log_keep_hours, clock.now())
    prefix = f"shared-{incident}" if incident else "watch"
    path = Path(log) if log else startup.log_file(log_dir, prefix, clock.now())
    try:
        incident_log, report = startup.open_log(
            path, clock, environ, from_start=True, settings=settings, incident=incident
        )
    except startup.StartupError as err:
        return _fail(str(err))
    _seal_on_exit(incident_log)
    if report.torn is not None:
        print(f"cockpit: {report.summary()}", file=sys.stderr)
    try:
        started = startup.live(settings, environ, incident_log, clock, read_only=read_only)
    except ConfigError as err:
        incident_log.close()
        return _fail(str(err))
    return _run(started.session, app_options(started), clock, incident_log.path)


def live_session(
    settings: Settings,
    environ: Mapping[str, str],
    incident_log: IncidentLog,
    clock: Clock,
    *,
    read_only: bool = False,
) -> tuple[LiveSession, AppOptions]:
    """The live session and app options for loaded settings, as `cockpit` builds them
    (for tests that drive the app in-process)."""
    from cockpit.session import LiveSession
    from cockpit.startup import live

    started = live(settings, environ, incident_log, clock, read_only=read_only)
    assert isinstance(started.session, LiveSession)
    return started.session, app_options(started)


def app_options(started: Startup) -> AppOptions:
    """The app's options for a started mode (imports Textual)."""
    from cockpit.app import AppOptions
    from cockpit.screens.header import HeaderInfo

    header = HeaderInfo(
        started.mode, started.environment, started.production,
        started.permissions.read_only, started.context,
    )  # fmt: skip
    options = AppOptions(
        header=header,
        permissions=started.permissions,
        refresh_s=started.refresh_s,
        targets=started.targets,
        runbook_dirs=started.runbook_dirs,
        grafana=started.grafana,
    )
    if started.author is not None:  # else user@host
        options = replace(options, author=started.author)
    if started.command is not None:
        options = replace(options, command=started.command)
    return options


def run_demo(
    *,
    read_only: bool,
    speed: float = 1.0,
    log_dir: Path | None = None,
    config: str | None = None,
    env: str | None = None,
) -> int:
    """`cockpit demo`: the same cockpit against the simulated platform on loopback (its
    setup, the only starter that imports `cockpit.sim`, is `cockpit.demo_setup`)."""
    guard_exits()
    from cockpit.clock import SystemClock
    from cockpit.config import ConfigError
    from cockpit.demo_setup import DemoSetup, demo_settings
    from cockpit.session import LiveSession
    from cockpit.startup import StartupError, log_file, open_log

    try:
        settings = demo_settings(config, env, dict(os.environ))
    except ConfigError as err:
        return _fail(str(err))
    clock = SystemClock()
    setup = DemoSetup(settings, clock, speed=speed, read_only=read_only)
    path = log_file(log_dir or setup.log_dir(), "demo", clock.now())
    try:
        incident_log, _report = open_log(path, clock, {}, mode="demo")
    except StartupError as err:
        setup.stop()
        return _fail(str(err))
    _seal_on_exit(incident_log)
    options = setup.app_options()
    session = LiveSession(incident_log, setup.planner, clock, mode="DEMO", on_stop=setup.stop)
    session.outbox = setup.outbox(options.author)
    return _run(session, options, clock, incident_log.path)


def build_drill(
    source: str,
    clock: Clock,
    *,
    speed: float,
    log_dir: Path | None = None,
    with_postgres: bool = True,
) -> tuple[DrillApp, DemoSetup]:
    """The drill's app on the demo's simulated platform (StartupError when it cannot start).

    `clock` is the wall clock; the drill runs on it sped up `speed` times. Stop the returned
    setup if the app never runs (the session's stop does it otherwise)."""
    from cockpit.app import default_author
    from cockpit.demo_setup import DemoSetup
    from cockpit.drill_app import DrillApp
    from cockpit.drill_session import DrillSession, ScaledClock
    from cockpit.startup import StartupError, drill, log_file

    drill_clock = ScaledClock(clock, speed)
    setup = DemoSetup(None, drill_clock, with_postgres=with_postgres)
    path = log_file(log_dir or setup.log_dir(), "drill", clock.now())
    try:
        started = drill(
            source, path, drill_clock, speed=speed, planner=setup.planner,
            targets=setup.targets, trainee=default_author(),
            command=setup.app_options().command, on_stop=setup.stop,
        )  # fmt: skip
    except StartupError:
        setup.stop()
        raise
    assert isinstance(started.session, DrillSession)
    app = DrillApp(started.session, app_options(started), clock=drill_clock, speed=speed)
    return app, setup


def run_drill(*, log: str, speed: float, log_dir: Path | None = None) -> int:
    """`cockpit drill LOG`: the past incident as an exercise on the simulated platform."""
    guard_exits()
    from cockpit.clock import SystemClock
    from cockpit.startup import StartupError

    try:
        app, _setup = build_drill(log, SystemClock(), speed=speed, log_dir=log_dir)
    except StartupError as err:
        return _fail(str(err))
    session = app.drill
    _seal_on_exit(session.log)
    return _run(session, app.options, app.clock, session.log_path, app=app)


def run_replay(*, log: str, speed: float, at: str | None) -> int:
    """`cockpit replay LOG`: the recorded incident in the same screens, read-only."""
    guard_exits()
    from cockpit.clock import SystemClock
    from cockpit.startup import StartupError, replay

    clock = SystemClock()
    try:
        started = replay(log, clock, speed=speed, at=at)
    except StartupError as err:
        return _fail(str(err))
    return _run(started.session, app_options(started), clock, log)


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


def _run(
    session: Session,
    options: AppOptions,
    clock: Clock,
    log_path: str,
    *,
    app: CockpitApp | None = None,
) -> int:
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
    from cockpit import app as cockpit_app
    from cockpit.screens.driver import HangupDriver

    app = app or cockpit_app.CockpitApp(session, options, clock=clock)
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
