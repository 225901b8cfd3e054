"""The outbox's fold of the log: what this cockpit must post, what was posted, what failed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cockpit.domain.command import STAMP
from cockpit.log import events as ev
from cockpit.log import events_outbox as eo
from cockpit.outbox.delivery import GITHUB, SLACK, Delivery, Key
from cockpit.outbox.mapping import Context, Targets, deliveries

_ACTOR_FIELDS = ("actor", "author")


@dataclass(slots=True)
class Mirror:
    """One incident as the outside tools know it (from the outcome events in the log)."""

    incident_id: str
    channel: str = ""
    channel_id: str = ""
    repository: str = ""
    number: int | None = None
    url: str = ""
    posted: dict[str, int] = field(default_factory=lambda: {SLACK: 0, GITHUB: 0})
    """Successful deliveries per tool."""
    failed: dict[str, int] = field(default_factory=lambda: {SLACK: 0, GITHUB: 0})
    last_error: dict[str, str] = field(default_factory=dict)
    """The last failure per tool, cleared by the next success."""


class OutboxBook:
    """Folds log events (any writer's) into deliveries and their outcomes.

    A cockpit posts only the events its own operator wrote (`actor`/`author` equal to
    `author`), so that several responders on one log do not each post the same line; every
    writer's outcome events count, so any cockpit shows the channel, the ticket and counts.
    """

    def __init__(self, author: str, targets: Targets) -> None:
        self.author = author
        self.targets = targets
        self._ctx: dict[str, Context] = {}
        self._current = ""
        self._runs: dict[str, str] = {}
        self._wanted: list[Delivery] = []
        self._done: set[Key] = set()
        self.mirrors: dict[str, Mirror] = {}

    def apply_all(self, events: Iterable[ev.Event]) -> None:
        """Fold `events`, in order."""
        for event in events:
            self.apply(event)

    def apply(self, event: ev.Event) -> None:
        """Fold one event (a damaged line is skipped: it is nobody's delivery)."""
        payload = event.payload()
        if isinstance(payload, eo.ChatPosted | eo.TicketUpdated):
            self._outcome(payload)
            return
        if isinstance(payload, ev.StepRunRequested | ev.MitigationRequested):
            self._runs[payload.run_id] = f"{payload.runbook}/{payload.step}"
        incident = self._incident_of(event, payload)
        if not incident:
            return
        ctx = self._ctx[incident]
        ctx.runs = self._runs
        mine = any(getattr(payload, name, None) == self.author for name in _ACTOR_FIELDS)
        if mine:
            self._wanted.extend(deliveries(event, payload, ctx, self.targets))

    def _incident_of(self, event: ev.Event, payload: ev.Payload) -> str:
        if isinstance(payload, ev.IncidentDeclared):
            ctx = Context(payload.incident_id, payload.title, payload.severity, payload.channel)
            self._ctx[payload.incident_id] = ctx
            self._current = payload.incident_id
            mirror = self.mirrors.setdefault(payload.incident_id, Mirror(payload.incident_id))
            mirror.channel = payload.channel
            return payload.incident_id
        stamp = event.data.get(STAMP)
        if isinstance(payload, eo.PostmortemExported):
            stamp = payload.incident_id
        incident = stamp if isinstance(stamp, str) and stamp in self._ctx else ""
        if incident and isinstance(payload, ev.IncidentUpdated):
            ctx = self._ctx[incident]
            ctx.severity = str(payload.changes.get("severity", ctx.severity))
            ctx.title = str(payload.changes.get("title", ctx.title))
        return incident

    def _outcome(self, p: eo.ChatPosted | eo.TicketUpdated) -> None:
        target = SLACK if isinstance(p, eo.ChatPosted) else GITHUB
        mirror = self.mirrors.setdefault(p.incident_id, Mirror(p.incident_id))
        if not p.ok:
            mirror.failed[target] += 1
            mirror.last_error[target] = p.error
            return
        key = (target, p.kind, p.ref_hash)
        if key not in self._done:
            mirror.posted[target] += 1
        self._done.add(key)
        mirror.last_error.pop(target, None)
        if isinstance(p, eo.ChatPosted) and p.kind == "channel":
            mirror.channel_id = p.channel_id or mirror.channel_id
        if isinstance(p, eo.TicketUpdated) and p.number is not None:
            mirror.repository, mirror.number = p.repository, p.number
            mirror.url = p.url or mirror.url

    def pending(self) -> list[Delivery]:
        """This cockpit's deliveries without a successful outcome yet, in log order."""
        self._wanted = [d for d in self._wanted if d.key not in self._done]
        return list(self._wanted)

    def pending_for(self, incident_id: str, target: str) -> int:
        """How many of this cockpit's deliveries to `target` for `incident_id` wait."""
        return sum(1 for d in self.pending() if d.incident_id == incident_id and d.target == target)

    def is_done(self, key: Key) -> bool:
        """True once a successful outcome of `key` is in the log."""
        return key in self._done

    def ticket(self, incident_id: str) -> tuple[str, int] | None:
        """(repository, number) of the incident's issue once opened."""
        mirror = self.mirrors.get(incident_id)
        if mirror is None or mirror.number is None:
            return None
        return mirror.repository, mirror.number

    def channel_id(self, incident_id: str) -> str:
        """The Slack channel id of the incident once created ("" before)."""
        mirror = self.mirrors.get(incident_id)
        return mirror.channel_id if mirror is not None else ""

    @property
    def current(self) -> Mirror | None:
        """The last declared incident's mirror."""
        return self.mirrors.get(self._current) if self._current else None
