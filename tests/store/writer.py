"""A child process appending notes to one incident of the shared store (for the store tests).

Usage: python tests/store/writer.py MIRROR INCIDENT COUNT (DSN in COCKPIT_STORE_DSN).
Prints `seq note_id` once each append has returned (acknowledged); COUNT 0 means forever.
"""

from __future__ import annotations

import os
import sys

from cockpit.clock import SystemClock
from cockpit.log.events import NoteAdded
from cockpit.log.pgstore import StoreLog
from cockpit.settings.secrets import Secret


def main(mirror: str, incident: str, count: int) -> None:
    """Append `count` notes (forever when 0), one acknowledgement line each."""
    dsn = Secret(os.environ["COCKPIT_STORE_DSN"])
    log, _ = StoreLog.open_store(mirror, dsn=dsn, incident=incident, clock=SystemClock())
    i = 0
    while count == 0 or i < count:
        note_id = f"{os.getpid()}-{i}"
        event = log.append(NoteAdded(note_id=note_id, text=f"note {i}", author="writer"))
        sys.stdout.write(f"{event.seq} {note_id}\n")
        sys.stdout.flush()
        i += 1
    log.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
