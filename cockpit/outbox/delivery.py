"""What the outbox sends (a `Delivery`) and how one attempt went (an `Attempt`)."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.log.events import Payload
from cockpit.log.events_outbox import ChatPosted, TicketUpdated

SLACK = "slack"
GITHUB = "github"

Key = tuple[str, str, str]
"""(target, kind, ref_hash): one delivery of one log event."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message for an outside tool, made from the log event `ref_seq`/`ref_hash`.

    Slack kinds: `channel` (create or join `channel`, invite, post `text`), `message` (a
    line in `channel`), `announce` (a line in the incidents channel). GitHub kinds: `open`
    (`title`, body `text`, `labels`), `comment`, `close` (state only), `postmortem`.
    """

    target: str
    kind: str
    ref_seq: int
    ref_hash: str
    incident_id: str
    text: str
    channel: str = ""
    """The incident channel's name, without `#`."""
    invite: tuple[str, ...] = ()
    """People (as named in the log) to invite to the channel."""
    title: str = ""
    labels: tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        """Identifies this delivery among all others (its outcome events carry the same)."""
        return (self.target, self.kind, self.ref_hash)


@dataclass(frozen=True, slots=True)
class Attempt:
    """How posting one delivery went.

    `ok`: done. `wait` (not ok): nothing was sent because something it needs is not known
    yet (the ticket another cockpit opens); it is retried without an event. Otherwise a
    failure, retried after `retry_after_s` (the tool's Retry-After) or a backoff.
    """

    delivery: Delivery
    ok: bool
    error: str = ""
    retry_after_s: float | None = None
    wait: bool = False
    channel_id: str = ""
    message_ts: str = ""
    repository: str = ""
    number: int | None = None
    url: str = ""

    def event(self) -> Payload:
        """The log event recording this attempt."""
        d = self.delivery
        if d.target == SLACK:
            return ChatPosted(
                d.ref_seq, d.ref_hash, d.kind, self.ok, d.incident_id, d.channel,
                self.channel_id, self.message_ts, self.error, self.retry_after_s,
            )  # fmt: skip
        return TicketUpdated(
            d.ref_seq, d.ref_hash, d.kind, self.ok, d.incident_id, self.repository,
            self.number, self.url, self.error, self.retry_after_s,
        )  # fmt: skip
