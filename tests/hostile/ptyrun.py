"""Runs a command in a real pseudo-terminal, types keys into it and keeps every byte it wrote."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PtyRun:
    """What the program wrote to its terminal, and how it ended."""

    output: bytes
    returncode: int


def _drain(fd: int, sink: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the program closed its side
            return
        if not chunk:
            return
        sink.extend(chunk)


def run_in_pty(
    argv: Sequence[str],
    *,
    size: tuple[int, int] = (200, 50),
    env: Mapping[str, str] | None = None,
    keys: Sequence[tuple[float, bytes]] = (),
    settle_s: float = 3.0,
    timeout_s: float = 30.0,
) -> PtyRun:
    """Start `argv` on a new pty of `size` (columns, rows); after `settle_s`, send each
    (pause, bytes) of `keys` until the program ends; wait for the exit (killed after
    `timeout_s`)."""
    master, slave = pty.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, **(env or {})},
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    output = bytearray()
    reader = threading.Thread(target=_drain, args=(master, output), daemon=True)
    reader.start()
    try:
        time.sleep(settle_s)
        for pause, data in keys:
            if proc.poll() is not None:
                break  # already ended: the keys left over were only a safety net
            with contextlib.suppress(OSError):  # it may end between the check and the write
                os.write(master, data)
            time.sleep(pause)
        code = proc.wait(timeout=timeout_s)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        os.close(master)
    return PtyRun(bytes(output), code)
