"""Paging the next escalation level from the command screen: confirm, call PagerDuty, log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.command.ladder import ladder_status
from cockpit.command.pagerduty import PagerDutyCommand
from cockpit.log.events import EscalationRaised, Payload
from cockpit.screens.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from cockpit.screens.command import CommandScreen


def start_page(screen: CommandScreen) -> None:
    """Ask before paging the level the ladder offers; refuse when nothing may change."""
    locked = screen.refusal()
    if locked is not None:
        screen.notify(f"Paging is not offered: {locked}.")
        return
    state = screen.session.state
    ladder = ladder_status(state, screen.session.now(), screen.options.policy)
    if ladder is None or ladder.next_level is None:
        screen.notify("No escalation level is waiting to be paged.")
        return
    level, targets = ladder.next_level, ladder.targets
    reason = ladder.reason or f"L{level} requested by the commander"
    how = "through PagerDuty" if screen.options.pagerduty else "(PagerDuty is not configured)"
    question = f"Page L{level}: {', '.join(targets) or 'next level'} {how}?"

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_worker(lambda: _page(screen, level, targets, reason), thread=True,
                              group="page")  # fmt: skip

    screen.app.push_screen(ConfirmDialog(question, yes="Page"), answered)


def _page(screen: CommandScreen, level: int, targets: tuple[str, ...], reason: str) -> None:
    """Runs in a thread: the PagerDuty call, then the events handed back to the UI thread."""
    incident = screen.session.state.incident
    title = incident.title if incident else "incident"
    ident = incident.incident_id if incident else None
    events: list[Payload] = []
    config = screen.options.pagerduty
    if config is None:
        message = f"L{level} recorded; PagerDuty is not configured: call them yourself."
        paged = False
    else:
        pd = PagerDutyCommand(config, actor=screen.author)
        # One dedup key per incident: every page adds to the same PagerDuty incident.
        outcome = pd.trigger(f"[L{level}] {title}", "cockpit", dedup_key=ident)
        events.append(outcome.event)
        paged = outcome.ok
        message = f"L{level} paged." if paged else f"L{level} not paged: {outcome.message}"
    events.insert(0, EscalationRaised(f"L{level}", targets, reason, screen.author, paged))
    screen.app.call_from_thread(screen._published, events, message)
