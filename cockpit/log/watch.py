"""Wake-ups when a log file grows (Linux inotify): nothing has to poll its size on a timer."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from pathlib import Path

IN_MODIFY = 0x00000002
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC
_READ = 64 * 1024


class FileWatch:
    """An inotify descriptor that turns readable when the watched file is written to (by
    this process or another one). Register `fileno()` with the event loop and call `drain()`
    from the callback; the file itself is then read as usual."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def open(cls, path: str | Path) -> FileWatch | None:
        """A watch on `path`, or None where inotify is not there (another OS, a sandbox
        without it, no watch left): the caller then checks the file on a timer."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols hold libc's
            fd = int(libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC))
        except (OSError, AttributeError):
            return None
        if fd < 0:
            return None
        watched = int(libc.inotify_add_watch(fd, os.fsencode(path), IN_MODIFY))
        if watched < 0:
            os.close(fd)
            return None
        return cls(fd)

    def fileno(self) -> int:
        """The descriptor to wait on (readable once the file was written to)."""
        return self._fd

    def drain(self) -> bool:
        """Read the pending notifications (their content is not needed); True if any."""
        got = False
        while True:
            try:
                chunk = os.read(self._fd, _READ)
            except OSError:  # BlockingIOError: nothing more to read
                return got
            if not chunk:
                return got
            got = True

    def close(self) -> None:
        """Stop watching (idempotent)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
