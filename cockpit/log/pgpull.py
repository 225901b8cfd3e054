"""Reading the shared store for commands: list its incidents, pull one incident to a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import psycopg

from cockpit.log.pgschema import lines_after


def pull(conn: psycopg.Connection[Any], incident: str, path: str | Path) -> int:
    """Write the incident's chain to `path` (0600, replaced atomically); returns the count.

    The file is byte for byte what every mirror holds, so `cockpit verify` accepts it.
    """
    lines = lines_after(conn, incident, 0)
    if not lines:
        raise LookupError(f"no incident {incident!r} in the shared log (see `cockpit log list`)")
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, b"".join(line.encode("utf-8") + b"\n" for _s, line, _o in lines))
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(target)
    return len(lines)
