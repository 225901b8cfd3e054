"""The incident log: events, line codec, append-only store, verification, reader, player."""
