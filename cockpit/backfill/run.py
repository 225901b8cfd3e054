"""`cockpit backfill`: fetch a window of Prometheus history, write it as an incident log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.backfill.fetch import BackfillError, Grid, Matrix, fetch, public_url
from cockpit.backfill.replay import ALERTS_SOURCE, Plan, ReplayApi, alerts_at, attach, plan
from cockpit.clock import FrozenClock, monotonic, rfc3339
from cockpit.domain.when import TimeError, Window, parse_window
from cockpit.log.events import LogClosed, SourcesConfigured
from cockpit.settings.secrets import Secret

if TYPE_CHECKING:
    from cockpit.settings.backends import HttpSourceSettings

MODE = "backfill"
_STEP = re.compile(r"(\d+)\s*([smh]?)")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_step(text: str | None, window: Window) -> int:
    """Seconds between samples: `15s`, `1m`, `30`; by default 15 s, or more for a long window
    (about 2,000 steps at most)."""
    if text is None:
        return max(15, -(-int(window.seconds) // 2000))
    match = _STEP.fullmatch(text.strip().lower())
    seconds = int(match.group(1)) * _UNIT[match.group(2)] if match else 0
    if seconds < 1:
        raise BackfillError(f"--step {text!r}: give a whole number of seconds, like 15s or 1m")
    return seconds


def main(
    *,
    config_path: str | None,
    env: str | None,
    start: str,
    end: str,
    step: str | None,
    output: str,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Write the log (exit 0), or say why not and leave no file behind (exit 2)."""
    environ = dict(os.environ) if environ is None else environ
    try:
        written = asyncio.run(_backfill(config_path, env, start, end, step, output, now, environ))
    except (BackfillError, TimeError) as err:
        sys.stderr.write(f"cockpit backfill: {err}\n")
        return 2
    sys.stderr.write(f"cockpit backfill: {written}\n")
    return 0


async def _backfill(
    config_path: str | None,
    env: str | None,
    start: str,
    end: str,
    step_text: str | None,
    output: str,
    now: datetime,
    environ: Mapping[str, str],
) -> str:
    from cockpit.config import ConfigError
    from cockpit.startup import load_settings

    window = parse_window(start, end, origin=None, now=now)
    grid = Grid.over(window, parse_step(step_text, window))
    target = Path(output).expanduser()
    if target.exists():
        raise BackfillError(f"{target} exists: a backfill writes a new log; pick another -o")
    try:
        settings = load_settings(config_path, env, environ)
        prom = settings.active.prometheus
        headers = prom.resolved_headers(environ)
    except ConfigError as err:
        raise BackfillError(str(err)) from None
    if prom.url is None:
        raise BackfillError("backfill reads Prometheus history: set [prometheus] url in the config")
    url = str(prom.url)
    jobs: dict[str, str] = {str(k): j for k, j in settings.config.sources.jobs.items()}
    planned = await plan(url, jobs)
    answers = _fetch_all(url, headers, prom, planned.queries, grid)
    if not any(answers.values()):
        raise BackfillError(
            f"Prometheus at {public_url(url)} has no alert, lag, quota or connection data "
            f"between {rfc3339(window.start)} and {rfc3339(window.end)}: check the window "
            "(times are UTC) and the retention"
        )
    api = ReplayApi(answers)
    attach(planned, api)
    every = float(grid.step)
    sources = [{"name": ALERTS_SOURCE, "kind": "alerts", "interval_s": every}]
    sources += [{"name": s.name, "kind": s.kind, "interval_s": every} for s in planned.sources]
    configured = SourcesConfigured(
        sources=tuple(sources),
        environment=settings.active.name,
        production=settings.active.production,
        read_only=True,
    )
    provenance = {
        "source_url": public_url(url),
        "window_from": rfc3339(window.start),
        "window_to": rfc3339(window.end),
    }
    events = await _write(target, environ, window, grid, configured, provenance, api, planned)
    return (
        f"{len(grid.times())} steps of {grid.step}s from {provenance['window_from']} to "
        f"{provenance['window_to']}: {events} events written to {target}"
    )


def _fetch_all(
    url: str,
    headers: Mapping[str, str | Secret],
    prom: HttpSourceSettings,
    queries: tuple[str, ...],
    grid: Grid,
) -> dict[str, Matrix]:
    from cockpit.clients.prometheus_range import make_range_client

    client = make_range_client(
        url,
        # Secrets are revealed here, into the client's session, and nowhere else.
        headers={k: h.reveal() if isinstance(h, Secret) else h for k, h in headers.items()},
        verify_tls=prom.verify_tls,
        ca_file=str(prom.ca_file) if prom.ca_file else None,
        timeout_s=prom.timeout_seconds,
    )
    try:
        return {query: fetch(client, query, grid) for query in queries}
    finally:
        client.close()


async def _write(
    target: Path,
    environ: Mapping[str, str],
    window: Window,
    grid: Grid,
    configured: SourcesConfigured,
    provenance: dict[str, str],
    api: ReplayApi,
    planned: Plan,
) -> int:
    """Write into a hidden file beside `target`, renamed to it only once complete."""
    from cockpit.feed import ObservationFeed
    from cockpit.log.recovery import LogError
    from cockpit.log.store import IncidentLog
    from cockpit.sources.base import SourceError
    from cockpit.startup import log_key

    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(name)
    clock = FrozenClock(window.start)
    try:
        log, _ = IncidentLog.open(
            partial, clock=clock, key=log_key(environ), mode=MODE, provenance=provenance
        )
        with log:
            log.append(configured)
            feed = ObservationFeed(log, clock)
            for second in grid.times():
                clock.set(Grid.at(second))
                api.second = second
                feed.on_result(ALERTS_SOURCE, alerts_at(api.answers, second), monotonic())
                for source in planned.sources:
                    started = monotonic()
                    try:
                        result = await source.poll()
                    except SourceError as err:
                        feed.on_result(source.name, err, started)
                    else:
                        feed.on_result(source.name, result, started)
            clock.set(window.end)
            log.append(LogClosed(reason=MODE))
            count = log.last_seq
        partial.replace(target)
    except (LogError, OSError) as err:
        raise BackfillError(f"cannot write {target}: {err}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return count
