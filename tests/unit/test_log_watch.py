"""The log file watch (inotify, the bastion's Linux): a write wakes it, a read does not."""

from __future__ import annotations

import os
import select
from pathlib import Path

from cockpit.log.watch import FileWatch


def readable(watch: FileWatch, timeout_s: float) -> bool:
    ready, _, _ = select.select([watch.fileno()], [], [], timeout_s)
    return bool(ready)


def test_an_append_by_another_writer_wakes_the_watch(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    path.write_bytes(b"{}\n")
    watch = FileWatch.open(path)
    assert watch is not None
    try:
        assert not readable(watch, 0.05) and not watch.drain()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, b"{}\n")
            os.write(fd, b"{}\n")
        finally:
            os.close(fd)
        assert readable(watch, 1.0)
        assert watch.drain()  # both writes, read in one go
        assert not readable(watch, 0.05) and not watch.drain()
        path.stat()  # reading the file's metadata is not a write
        with path.open("rb") as stream:
            stream.read()
        assert not readable(watch, 0.05)
    finally:
        watch.close()
        watch.close()  # idempotent


def test_a_missing_file_cannot_be_watched(tmp_path: Path) -> None:
    assert FileWatch.open(tmp_path / "absent.jsonl") is None
