"""`cockpit record`: a headless recorder polling the configured sources into a log."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.clock import SystemClock, monotonic
from cockpit.log.events import LogClosed
from cockpit.startup import log_key

if TYPE_CHECKING:
    from cockpit.log.store import IncidentLog

__all__ = ["log_key", "main"]


async def _record(
    log_path: Path,
    duration: float | None,
    environ: Mapping[str, str],
    config_path: str | None,
    env: str | None,
    incident: str | None = None,
) -> int:
    from cockpit.config import ConfigError
    from cockpit.feed import ObservationFeed
    from cockpit.log.recovery import LogError
    from cockpit.sources.base import Snapshot, SourceError
    from cockpit.sources.scheduler import PollScheduler
    from cockpit.startup import StartupError, load_settings, open_log, plan_sources

    try:
        settings = load_settings(config_path, env, environ)
        planned, configured = plan_sources(settings, environ)
    except ConfigError as err:
        print(f"cockpit record: {err}", file=sys.stderr)
        return 2
    if not planned:
        print(
            "cockpit record: no source is configured; set [prometheus] url, [alertmanager] url "
            "or [postgres] dsn_env in the config (see config.example.toml)",
            file=sys.stderr,
        )
        return 2
    clock = SystemClock()
    try:
        log, report = open_log(
            log_path, clock, environ, mode="record", settings=settings, incident=incident
        )
    except StartupError as err:
        print(f"cockpit record: {err}", file=sys.stderr)
        return 2
    if report.torn is not None:
        print(f"cockpit record: {report.summary()}", file=sys.stderr)
    log.append(configured)
    feed = ObservationFeed(log, clock)

    def on_result(source: str, result: Snapshot | SourceError, started: float) -> None:
        # Damage by another process is recorded in the log (log.damaged) and the recording
        # goes on; say it on stderr too. A failed write (disk full) loses this one result.
        try:
            feed.on_result(source, result, started)
        except (LogError, OSError) as err:
            print(f"cockpit record: {source}: result not recorded: {err}", file=sys.stderr)
        for damage in log.take_damage():
            print(f"cockpit record: {damage.summary()}", file=sys.stderr)
        _say_store_status(log, seen)

    seen: dict[str, str | None] = {"status": None}
    scheduler = PollScheduler(on_result)
    for item in planned:
        scheduler.add(item.source, item.interval_s)
    stop = asyncio.Event()
    reason = {"why": "duration"}

    def on_signal(why: str) -> None:
        reason["why"] = why
        stop.set()

    loop = asyncio.get_running_loop()
    for signum, why in (
        (signal.SIGTERM, "sigterm"),
        (signal.SIGINT, "sigint"),
        (signal.SIGHUP, "sighup"),
    ):
        loop.add_signal_handler(signum, on_signal, why)
    names = ", ".join(f"{p.source.name} every {p.interval_s:g}s" for p in planned)
    print(f"cockpit record: recording {names} into {log_path}", file=sys.stderr)
    started = monotonic()
    scheduler.start()
    try:
        await asyncio.wait_for(stop.wait(), timeout=duration)
    except TimeoutError:
        pass
    finally:
        await scheduler.stop()
        try:
            log.append(LogClosed(reason=reason["why"]))
        except (LogError, OSError) as err:
            print(f"cockpit record: log.closed not written: {err}", file=sys.stderr)
        for damage in log.take_damage():
            print(f"cockpit record: {damage.summary()}", file=sys.stderr)
        log.close()
    print(
        f"cockpit record: stopped ({reason['why']}) after {monotonic() - started:.1f}s; "
        f"last seq {log.last_seq}",
        file=sys.stderr,
    )
    return 0


def _say_store_status(log: IncidentLog, seen: dict[str, str | None]) -> None:
    """Print the shared log going offline or coming back, once per change."""
    status_of = getattr(log, "status", None)
    status = status_of() if status_of is not None else None
    if status != seen["status"]:
        seen["status"] = status
        print(f"cockpit record: {status or 'shared log back online'}", file=sys.stderr)


def main(
    *,
    config_path: str | None,
    env: str | None,
    log: str,
    duration: float | None,
    incident: str | None = None,
) -> int:
    """Record until SIGTERM/SIGINT/SIGHUP or `duration` seconds; the log is closed cleanly."""
    if duration is not None and duration <= 0:
        print("cockpit record: --duration must be a positive number of seconds", file=sys.stderr)
        return 2
    return asyncio.run(_record(Path(log), duration, dict(os.environ), config_path, env, incident))
