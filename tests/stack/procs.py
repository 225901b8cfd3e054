"""Child processes of the test stack: logs to a file, dies with the session, never leaks."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from .ports import StackError, free_port

_LIVE: dict[int, ManagedProcess] = {}
_PR_SET_PDEATHSIG = 1


def require_binary(path: str, apt_package: str) -> str:
    """The binary's path; fail the test session (never skip) naming the package to install."""
    found = path if Path(path).is_file() and os.access(path, os.X_OK) else shutil.which(path)
    if not found:
        pytest.fail(f"{path} not found: install the Debian package `{apt_package}`", pytrace=False)
    return found


def _die_with_parent() -> None:
    # Runs in the child after fork (and after setuid): if pytest is killed hard, so are we.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class ManagedProcess:
    """One server process started by the stack, its output appended to `log_path`."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        user: str | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.user = user
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Spawn the process in its own session (Ctrl-C reaches pytest, which tears down)."""
        # PDEATHSIG follows the spawning thread; only arm it from the long-lived main thread.
        in_main = threading.current_thread() is threading.main_thread()
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                user=self.user,
                start_new_session=True,
                preexec_fn=_die_with_parent if in_main else None,
            )
        _LIVE[self._proc.pid] = self

    @property
    def pid(self) -> int | None:
        """The process id while it runs, else None."""
        return self._proc.pid if self._proc is not None and self.alive() else None

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Send `sig` (waking a SIGSTOPped process), wait, then SIGKILL if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        _LIVE.pop(proc.pid, None)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
                proc.send_signal(signal.SIGCONT)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the process log, for failure messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])


def start_on_free_port(
    spawn: Callable[[int], ManagedProcess], ready: Callable[[ManagedProcess], None]
) -> ManagedProcess:
    """Spawn on a fresh free port and wait for `ready`; retry when another process took the
    port between our probe and the server's bind (the one race free_port() cannot close)."""
    for attempt in range(3):
        proc = spawn(free_port())
        proc.start()
        try:
            ready(proc)
        except StackError as exc:
            proc.stop(signal.SIGKILL)
            if "address already in use" not in str(exc) or attempt == 2:
                raise
            continue
        return proc
    raise AssertionError("unreachable")


def kill_all() -> None:
    """Kill every process still registered (atexit and interrupted sessions)."""
    for proc in list(_LIVE.values()):
        proc.stop(signal.SIGKILL, timeout=5)


atexit.register(kill_all)
