"""Outbox events: each attempt to post the log to Slack or GitHub, and exports to attach.

In the log layer so that every reader (verify, export, replay) knows them; `cockpit.outbox`
derives what is pending from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cockpit.log.events import Payload, register


@register
@dataclass(frozen=True, slots=True)
class ChatPosted(Payload):
    """One attempt to post an event of the log to Slack, and how it went.

    `ref_seq`/`ref_hash` name the log event it mirrors; `kind` is `channel` (create or join
    the incident channel, invite, post the declaration), `message` (a timestamped line in
    the incident channel) or `announce` (a line in the configured incidents channel). A
    failed attempt (`ok` false) leaves the event pending; `error` never holds a secret.
    """

    TYPE: ClassVar[str] = "chat.posted"
    ref_seq: int
    ref_hash: str
    kind: str
    ok: bool
    incident_id: str = ""
    channel: str = ""
    channel_id: str = ""
    message_ts: str = ""
    error: str = ""
    retry_after_s: float | None = None


@register
@dataclass(frozen=True, slots=True)
class TicketUpdated(Payload):
    """One attempt to mirror an event of the log on the incident's GitHub issue.

    `kind` is `open` (the issue, labelled), `comment`, `close` or `postmortem` (the exported
    Markdown as a comment); `number` and `url` name the issue once known.
    """

    TYPE: ClassVar[str] = "ticket.updated"
    ref_seq: int
    ref_hash: str
    kind: str
    ok: bool
    incident_id: str = ""
    repository: str = ""
    number: int | None = None
    url: str = ""
    error: str = ""
    retry_after_s: float | None = None


@register
@dataclass(frozen=True, slots=True)
class PostmortemExported(Payload):
    """A post-mortem was exported from the cockpit; the outbox attaches `markdown` to the
    incident's ticket (kept in the log so that a restart still finds it to attach)."""

    TYPE: ClassVar[str] = "postmortem.exported"
    incident_id: str
    template: str
    markdown: str
    actor: str = ""
