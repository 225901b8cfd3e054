"""Private per-user cache files: read only our own, unshared file; replace atomically, 0600."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def read_private(path: Path) -> bytes | None:
    """The file's bytes when this user owns it and nobody else may write it; else None."""
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_uid != os.geteuid() or info.st_mode & 0o022:
                return None
            return handle.read()
    except OSError:
        return None


def write_private(path: Path, data: bytes) -> None:
    """Replace the file atomically (mode 0600, its directory 0700); a failure leaves no temp
    file and only costs the next start what the cache would have saved."""
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        temp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
