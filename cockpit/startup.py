"""One startup builder for live, record and the tests: settings, log, permissions, session.

No Textual here: the launcher turns a `Startup` into the app's options, the headless recorder
uses the log and source plan, and tests build sessions the way the shipped command does.
Everything the first frame does not need (source clients, the alert catalog, runbooks) is
imported later, by the session's planner or by the app after its first frame.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.permissions import Mode, Permissions

if TYPE_CHECKING:
    from cockpit.clock import Clock
    from cockpit.command.options import CommandOptions
    from cockpit.config import Settings
    from cockpit.grafana import GrafanaTemplates
    from cockpit.log.events import SourcesConfigured
    from cockpit.log.store import IncidentLog, OpenReport
    from cockpit.outbox.core import Outbox
    from cockpit.runbook.exec.base import StepTargets
    from cockpit.session import LiveSession, Planner, Session
    from cockpit.wiring import PlannedSource

Plan = tuple["Sequence[PlannedSource]", "SourcesConfigured"]
"""The sources to poll and the `sources.configured` event that records them."""


class StartupError(Exception):
    """The cockpit cannot start; the message says what is wrong and how to fix it."""


def _no_targets() -> StepTargets | None:
    return None


@dataclass(frozen=True, slots=True)
class Startup:
    """A started mode: its session and everything the app shows about how it was started."""

    session: Session
    permissions: Permissions
    mode: str
    """LIVE, DEMO or REPLAY (the header's first word)."""
    environment: str = ""
    production: bool = False
    context: str = ""
    """Kubernetes context or platform, for the header."""
    refresh_s: float = 2.0
    author: str | None = None
    """Who writes notes (None: user@host)."""
    command: CommandOptions | None = None
    targets: Callable[[], StepTargets | None] = field(default=_no_targets)
    """Where runbook steps run; a callable because the demo's servers start after the
    first frame."""
    runbook_dirs: tuple[str, ...] = ()
    grafana: GrafanaTemplates | None = None
    """`[grafana]` link templates (`y` copies the highlighted item's link)."""


def log_key(environ: Mapping[str, str]) -> bytes | None:
    """The HMAC key for a keyed chain, from COCKPIT_LOG_KEY (None when unset or empty)."""
    value = environ.get("COCKPIT_LOG_KEY", "")
    return value.encode("utf-8") if value else None


def log_file(log_dir: Path, prefix: str, now: datetime) -> Path:
    """A new log path `<log_dir>/<prefix>-YYYYMMDDTHHMMSSZ-<pid>.jsonl` (dir made 0700)."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return log_dir / f"{prefix}-{now:%Y%m%dT%H%M%SZ}-{os.getpid()}.jsonl"


def load_settings(config: str | None, env: str | None, environ: Mapping[str, str]) -> Settings:
    """The validated settings (ConfigError names the file, key and fix)."""
    from cockpit.config import load_settings as load

    return load(config, env_name=env, environ=environ)


def open_log(
    path: Path | str,
    clock: Clock,
    environ: Mapping[str, str],
    *,
    mode: str = "live",
    from_start: bool = False,
    settings: Settings | None = None,
    incident: str | None = None,
    provenance: Mapping[str, str] | None = None,
) -> tuple[IncidentLog, OpenReport]:
    """Open or create the log, keyed by COCKPIT_LOG_KEY (StartupError when it cannot be).

    With an `incident` id and `[incident] store = "postgres"` in `settings`, that incident
    of the shared log, with `path` as its local mirror; an id without a store is refused.
    """
    from cockpit.config import ConfigError
    from cockpit.log.recovery import LogError
    from cockpit.log.store import IncidentLog

    key = log_key(environ)
    try:
        dsn = settings.incident.store_dsn(environ) if settings is not None else None
        if incident and dsn is None:
            raise StartupError('--incident joins the shared log: set [incident] store = "postgres"')
        if incident and dsn is not None:
            from cockpit.log.pgstore import StoreLog

            return StoreLog.open_store(
                path, dsn=dsn, incident=incident, clock=clock, key=key, mode=mode,
                from_start=from_start,
            )  # fmt: skip
        return IncidentLog.open(
            path, clock=clock, key=key, mode=mode, from_start=from_start, provenance=provenance
        )
    except (LogError, ConfigError) as err:
        raise StartupError(str(err)) from err


def plan_sources(settings: Settings, environ: Mapping[str, str]) -> Plan:
    """The configured sources (their client packages are imported here, not before)."""
    from cockpit.wiring import build_sources, sources_event

    planned = build_sources(settings, environ)
    return planned, sources_event(settings, planned)


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


def outbox_for(
    settings: Settings, environ: Mapping[str, str], permissions: Permissions
) -> Outbox | None:
    """Slack and GitHub as `[slack]`/`[github]` configure them (ConfigError for a token
    reference that cannot be read); None when neither is enabled."""
    if not (settings.slack.enabled or settings.github.enabled):
        return None  # the outbox's modules stay unloaded
    from cockpit.outbox.core import build_outbox

    return build_outbox(settings, environ, permissions, settings.author)


def live(
    settings: Settings,
    environ: Mapping[str, str],
    incident_log: IncidentLog,
    clock: Clock,
    *,
    read_only: bool = False,
) -> Startup:
    """`cockpit`: the live session on loaded settings (ConfigError for a missing secret)."""
    from cockpit.session import LiveSession
    from cockpit.step_wiring import step_targets_later

    targets = step_targets_later(settings, environ)  # read now, built when a step asks
    active = settings.active
    permissions = Permissions.decide(
        Mode.LIVE,
        read_only=read_only,
        environment=active.name,
        environment_read_only=active.read_only,
        production=active.production,
        role=settings.config.user.role,
    )
    session: LiveSession = LiveSession(incident_log, lambda: plan_sources(settings, environ), clock)
    session.outbox = outbox_for(settings, environ, permissions)
    return Startup(
        session=session,
        permissions=permissions,
        mode="LIVE",
        environment=active.name,
        production=active.production,
        context=active.kubernetes.context or "",
        refresh_s=settings.config.ui.refresh_seconds,
        author=settings.author,
        command=command_options(settings, environ),
        targets=targets,
        runbook_dirs=tuple(str(p) for p in settings.config.runbooks.paths),
        grafana=settings.config.grafana.templates(),
    )


def replay(log: str, clock: Clock, *, speed: float, at: str | None) -> Startup:
    """`cockpit replay LOG`: the recorded incident, read-only (StartupError when unusable)."""
    from cockpit.clock import parse_when
    from cockpit.log.reader import LogReader, ReadError
    from cockpit.session import ReplaySession

    if not 1.0 <= speed <= 64.0:
        raise StartupError(f"--speed must be between 1 and 64, not {speed:g}")
    try:
        first = next(iter(LogReader(log)), None)
    except ReadError as err:
        raise StartupError(f"{log}: {err}") from err
    if first is None:
        raise StartupError(f"{log}: the log is empty")
    session = ReplaySession(log, clock, speed=speed)
    if at is not None:
        try:
            session.player.seek(parse_when(at, first.event.ts))
        except ValueError as err:
            raise StartupError(f"--at {at!r}: {err}") from err
    return Startup(session=session, permissions=Permissions.decide(Mode.REPLAY), mode="REPLAY")


def drill(
    source: str,
    path: Path,
    clock: Clock,
    *,
    speed: float,
    planner: Planner,
    targets: Callable[[], StepTargets | None],
    trainee: str,
    command: CommandOptions | None = None,
    on_stop: Callable[[], None] | None = None,
) -> Startup:
    """`cockpit drill LOG`: `source` replayed into a new drill log at `path`, on `clock` (the
    drill's, already sped up). The simulated platform's pieces (`planner` starts it, `targets`
    are its step targets) come from the demo setup: nothing here can reach a real target."""
    from cockpit.clock import rfc3339
    from cockpit.drill_session import DrillSession, identify
    from cockpit.log.events import DrillStarted
    from cockpit.log.reader import ReadError

    if not 1.0 <= speed <= 64.0:
        raise StartupError(f"--speed must be between 1 and 64, not {speed:g}")
    try:
        found = identify(source)
    except (OSError, ReadError, ValueError) as err:
        raise StartupError(f"{source}: cannot replay it as a drill: {err}") from err
    named = {"source_log": found.name, "source_sha256": found.sha256}
    incident_log, _report = open_log(path, clock, {}, mode="drill", provenance=named)
    incident_log.append(
        DrillStarted(
            source=found.name, source_sha256=found.sha256, source_last_hash=found.last_hash,
            source_first_ts=rfc3339(found.first_ts), speed=speed, trainee=trainee,
        )
    )  # fmt: skip
    session = DrillSession(
        incident_log,
        source,
        clock,
        planner=planner,
        trainee=trainee,
        on_stop=on_stop,
    )
    return Startup(
        session=session,
        permissions=Permissions.decide(Mode.DRILL, environment="drill"),
        mode="DRILL",
        context="simulated platform",
        author=trainee,
        command=command,
        targets=targets,
    )
