"""The status bar: mode, environment, incident and SLA clock, source health, on one line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from cockpit.command.clocks import response_clock, security_deadlines
from cockpit.command.ladder import ladder_status
from cockpit.domain.sla import compact_duration
from cockpit.domain.state import IncidentState
from cockpit.domain.views import first_stale_in, source_status
from cockpit.log.shared import SharedStatus
from cockpit.sanitize import clean
from cockpit.screens.shared_view import append_shared
from cockpit.screens.state import TICK_S

MODE_STYLES = {
    "LIVE": "bold black on green",
    "DEMO": "bold black on cyan",
    "REPLAY": "bold black on magenta",
    "DRILL": "bold white on dark_orange3",
}


@dataclass(frozen=True, slots=True)
class HeaderInfo:
    """What does not change with every event: mode, environment, read-only switch."""

    mode: str
    environment: str = ""
    production: bool = False
    read_only: bool = False
    context: str = ""
    """Cluster / Kubernetes context, when known."""


def header_text(
    info: HeaderInfo,
    state: IncidentState,
    now: datetime,
    refresh_s: float,
    shared: SharedStatus | None = None,
) -> Text:
    """The status line as Text (pure: the widget only decides whether to repaint); with a
    shared log, also its offline warning and who is in the incident."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {info.mode} ", MODE_STYLES.get(info.mode, "bold reverse"))
    if info.read_only:
        text.append(" READ-ONLY ", "bold black on yellow")
    if info.environment:
        env = clean(info.environment, single_line=True, max_len=20)
        if info.production:
            text.append(f" {env.upper()} ", "bold white on red")
        else:
            text.append(f" {env} ", "bold")
    if info.context:
        text.append(f" {clean(info.context, single_line=True, max_len=30)}", "dim")
    text.append(" │ ", "dim")
    _incident(text, state, now)
    text.append(" │ ", "dim")
    _health(text, state, now, refresh_s)
    append_shared(text, shared, state.roles)
    return text


def header_due(
    state: IncidentState, now: datetime, refresh_s: float, shared: SharedStatus | None = None
) -> float | None:
    """Seconds from `now` until `header_text` may change with no new event: 1 s while an
    incident's clocks run or a shared log's presence shows; else when the first healthy
    source turns stale; None if time alone changes nothing."""
    incident = state.incident
    if shared is not None or (incident is not None and incident.state == "open"):
        return TICK_S
    return first_stale_in(state, _sources(state, refresh_s), now)


def _sources(state: IncidentState, refresh_s: float) -> list[tuple[str, float]]:
    """(name, refresh interval) of every source the header judges: the configured ones,
    else those the log has news of."""
    names = list(state.sources) or list(state.health)
    return [
        (name, info.interval_s if (info := state.sources.get(name)) else refresh_s)
        for name in names
    ]


def _incident(text: Text, state: IncidentState, now: datetime) -> None:
    incident = state.incident
    clock = response_clock(state, now)
    # Which incident is current: its number when the log holds several (replay of a long log).
    number = f"#{state.current.number} " if len(state.incidents) > 1 else ""
    ident = clean(incident.incident_id, single_line=True, max_len=32) if incident else ""
    if incident is None or clock is None or incident.state != "open":
        phase = state.current.phase
        text.append(
            f"{number}{ident} {phase}" if ident and phase else "no incident declared", "dim"
        )
        return
    sev_style = "bold white on red" if incident.severity in ("SEV-1", "P0") else "bold red"
    text.append(f" {clean(incident.severity, single_line=True, max_len=8)} ", sev_style)
    text.append(f" {number}{ident} ")
    text.append(f"T+{compact_duration((now - clock.start).total_seconds())}", "bold")
    if clock.acknowledged_at is not None:
        text.append("  ack ✓", "green")
    elif clock.remaining_s is not None:
        if clock.remaining_s >= 0:
            text.append(f"  ack due in {compact_duration(clock.remaining_s)}", "yellow")
        else:
            text.append(f"  ACK SLA BREACHED {compact_duration(clock.remaining_s)}", "bold red")
    ladder = ladder_status(state, now)
    if ladder is not None and ladder.overdue and ladder.next_level is not None:
        text.append(f"  PAGE L{ladder.next_level}", "bold red")
    elif ladder is not None:
        text.append(f"  L{ladder.reached}", "dim")
    for deadline in security_deadlines(state, now):
        if not deadline.done:
            style = "bold red" if deadline.remaining_s < 0 else "yellow"
            short = "cli" if deadline.name == "clients" else "reg"
            text.append(f"  {short} {compact_duration(deadline.remaining_s)}", style)


def _health(text: Text, state: IncidentState, now: datetime, refresh_s: float) -> None:
    sources = _sources(state, refresh_s)
    if not sources:
        text.append("no sources", "dim")
        return
    bad = []
    for name, interval in sources:
        status = source_status(state, name, now, interval)
        if status.absent:
            bad.append(f"{name} no series")
        elif status.status in ("failed", "stale"):
            bad.append(f"{name} {status.status}")
    if bad:
        text.append("✖ " + ", ".join(clean(b, single_line=True) for b in bad), "bold red")
    else:
        text.append(f"● sources {len(sources)}/{len(sources)} ok", "green")


class StatusBar(Static):
    """One-line header; repaints only when its text really changed (0 B/s when idle)."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, info: HeaderInfo, *, id: str | None = "status-bar") -> None:
        super().__init__("", id=id)
        self.info = info
        self._last: Text | None = None

    def show(
        self,
        state: IncidentState,
        now: datetime,
        refresh_s: float,
        shared: SharedStatus | None = None,
    ) -> None:
        """Render for `state` at `now`; no-op when the line would not change."""
        text = header_text(self.info, state, now, refresh_s, shared)
        if self._last is not None and text == self._last:
            return
        self._last = text
        # One line of fixed height and full width: the clock moving each second must not
        # lay the whole screen out again (Static.update does unless told; ~10 ms at 200x50).
        self.update(text, layout=False)
