"""The incident log: events, line codec, append-only store, verification, reader, player."""

# Every payload type is registered as soon as any part of the log is imported.
from cockpit.log import events_approval as _events_approval  # noqa: F401
from cockpit.log import events_outbox as _events_outbox  # noqa: F401
