"""Records of running demo servers, and the clean-up of those a killed demo left behind."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

PREFIX = "cockpit-demo-pg-"


def runtime_dir() -> Path:
    """Where each demo records its server: `<tmp>/cockpit-demo-pg-run-<uid>` (mode 0700)."""
    path = Path(tempfile.gettempdir()) / f"cockpit-demo-pg-run-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{path} is not a private directory of this user: remove it")
    return path


def alive(pid: int) -> bool:
    """Whether process `pid` exists (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return state != "Z"


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def start_time(pid: int) -> str | None:
    """When `pid` started (clock ticks since boot, from /proc): with the pid, it names one
    process, even after the pid is reused. None where /proc cannot tell."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_running(data: dict[str, object], owner: int) -> bool:
    """Whether the process that recorded a server still runs: the same pid with the same start
    time (any program embedding the demo counts), else a live cockpit by its command line."""
    started = data.get("owner_start")
    if isinstance(started, str):
        return alive(owner) and start_time(owner) == started
    return is_demo_cockpit(owner)


def is_demo_cockpit(pid: int) -> bool:
    """A live process whose command line is a cockpit (the owner of a record)."""
    return alive(pid) and any("cockpit" in part for part in _cmdline(pid))


def is_demo_postmaster(pid: int, base: str) -> bool:
    """A live `postgres` whose data dir is inside `base`, a demo temp dir."""
    argv = _cmdline(pid)
    return (
        alive(pid)
        and bool(argv)
        and Path(argv[0]).name == "postgres"
        and Path(base).name.startswith(PREFIX)
        and any(part.startswith(base) for part in argv[1:])
    )


def reap_orphans() -> list[int]:
    """Stop the servers whose demo is gone (kill -9) and remove their dirs; their pids."""
    reaped: list[int] = []
    try:
        records = sorted(runtime_dir().glob("*.json"))
    except OSError:
        return reaped
    for record in records:
        try:
            data = json.loads(record.read_text())
            owner, postmaster, base = int(data["owner"]), int(data["postmaster"]), str(data["dir"])
        except (OSError, ValueError, KeyError, TypeError):
            record.unlink(missing_ok=True)
            continue
        if owner != os.getpid() and owner_running(data, owner):
            continue  # another demo, still running
        if is_demo_postmaster(postmaster, base):
            stop_pid(postmaster)
            reaped.append(postmaster)
        if Path(base).name.startswith(PREFIX):
            shutil.rmtree(base, ignore_errors=True)
        record.unlink(missing_ok=True)
    return reaped


def stop_pid(pid: int, wait_s: float = 3.0) -> None:
    """SIGINT (fast shutdown), then SIGKILL when it has not ended within `wait_s`."""
    for sig, wait in ((signal.SIGINT, wait_s), (signal.SIGKILL, 2.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not alive(pid):
            return
