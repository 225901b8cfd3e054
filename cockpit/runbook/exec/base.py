"""Shared values of the step executors: targets, operator identity, plans and results."""

from __future__ import annotations

import getpass
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cockpit.clock import Clock, SystemClock
from cockpit.log.events import JSON
from cockpit.runbook.exec.toolbox import Toolbox
from cockpit.sanitize import clean

if TYPE_CHECKING:
    from cockpit.runbook.argo import ArgoTarget

MAX_ROWS = 200
"""Rows kept per result: enough to act on, small enough for the log."""
MAX_TEXT = 20_000
"""Characters of free text (logs, describe) kept per result."""
DEFAULT_TIMEOUT_S = 10.0

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"([0-9]+)(ms|s|m|h|d|w)")


def seconds(duration: str | None, default: float = DEFAULT_TIMEOUT_S) -> float:
    """`30s`, `1h30m` -> seconds; `default` when None."""
    if not duration:
        return default
    return sum(int(n) * _UNITS[u] for n, u in _PART.findall(duration)) or default


class StepFailure(Exception):
    """A step could not be run or failed; `outcome` is failed, timeout or refused."""

    def __init__(self, message: str, outcome: str = "failed") -> None:
        super().__init__(message)
        self.outcome = outcome


@dataclass(frozen=True, slots=True)
class Operator:
    """Who runs steps: the log records it with every request and outcome."""

    user: str
    host: str
    ssh_client: str = ""

    @property
    def actor(self) -> str:
        """user@host, plus the SSH client address when connected through SSH."""
        base = f"{self.user}@{self.host}"
        return f"{base} (ssh from {self.ssh_client})" if self.ssh_client else base

    @classmethod
    def from_env(cls, environ: Mapping[str, str], user: str | None = None) -> Operator:
        """The current user and host; SSH_CONNECTION's first field is the client address."""
        if user is None:
            try:
                user = getpass.getuser()
            except (KeyError, OSError):
                user = "unknown"
        ssh = environ.get("SSH_CONNECTION", "").split()
        client = clean(ssh[0], max_len=64, single_line=True) if ssh else ""
        return cls(clean(user, max_len=64, single_line=True), socket.gethostname(), client)


@dataclass(frozen=True, slots=True)
class Where:
    """Where steps act, named in every confirmation: environment, cluster, database, host.

    Never holds a secret: the database is its host and name, not its connection string.
    """

    environment: str = ""
    production: bool = False
    k8s_context: str = ""
    """The kubeconfig context ("" when the kubeconfig's current context is used)."""
    namespace: str = ""
    """The configured default namespace (a k8s step names its own)."""
    db_host: str = ""
    db_name: str = ""
    """Empty: read from the step's DSN when a confirmation names it (psycopg loads late)."""
    exec_host: str = ""
    """The machine `exec` steps run on."""


@dataclass(frozen=True, slots=True)
class StepTargets:
    """Where steps run. A missing target makes its steps fail with a clear line."""

    prometheus_url: str | None = None
    alertmanager_url: str | None = None
    """Silences are created here (the cockpit's `s` on an alert)."""
    loki_url: str | None = None
    """`logql` steps query this Loki."""
    postgres_dsn: str | None = None
    """Diagnostics: ideally a read-only login (they also run in a read-only transaction)."""
    postgres_mitigation_dsn: str | None = None
    """Mitigating SQL only; None refuses them rather than reuse the diagnostic login."""
    postgres_mitigation_problem: str = ""
    """Why the mitigation login could not be read (said when a SQL mitigation is tried)."""
    k8s_client: Callable[[], Any] | None = None
    """Returns a configured `kubernetes.client.ApiClient` (retries off, deadline set)."""
    argocd: ArgoTarget | None = None
    """`argocd` steps talk to this server; its `applications` make rollout-undo refuse."""
    toolbox: Toolbox | None = None
    """Simulated sessions: `exec`, `http` and `sql` steps go here, never to the host."""
    environ: Mapping[str, str] = field(default_factory=dict)
    """Where `http` steps find `token_env` secrets."""
    clock: Clock = field(default_factory=SystemClock)
    exec_allowed: bool = True
    where: Where = field(default_factory=Where)
    """What confirmations show about these targets."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Exactly what a step will do, shown before it runs and written to the log."""

    kind: str
    what: str
    call: Any = None
    """Kind-specific prepared call (never shown; `what` describes it)."""
    target: str = ""
    """The text the operator types back for confirm=typed."""


@dataclass(frozen=True, slots=True)
class StepResult:
    """What a step returned, already sanitised and trimmed for the log and the screen."""

    outcome: str
    summary: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    text: str = ""
    truncated: bool = False

    def to_json(self) -> dict[str, JSON]:
        """The `result` field of the completion event."""
        return {
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "text": self.text,
            "truncated": self.truncated,
        }


def table(
    summary: str, columns: list[str], rows: list[list[object]], *, total: int | None = None
) -> StepResult:
    """An ok result holding a table; cells are sanitised single-line strings."""
    kept = rows[:MAX_ROWS]
    cells = tuple(tuple(cell(v) for v in row) for row in kept)
    heads = tuple(clean(c, max_len=60, single_line=True) for c in columns)
    count = len(rows) if total is None else total
    return StepResult("ok", summary, heads, cells, truncated=count > len(kept))


def text_result(summary: str, text: str) -> StepResult:
    """An ok result holding free text (logs, describe output)."""
    body = clean(text)
    return StepResult("ok", summary, text=body[:MAX_TEXT], truncated=len(body) > MAX_TEXT)


def cell(value: object) -> str:
    """One table cell as safe text."""
    return "" if value is None else clean(value, max_len=300, single_line=True)
