"""Parsed runbooks as frozen values: parameters, prose, steps, problems and sets of runbooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a runbook file, at a 1-based line of that file."""

    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.rule}] {self.message}"


class RunbookError(Exception):
    """A runbook file was refused; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Param:
    """A declared parameter (see `spec.ParamSpec`), with the line that declares it."""

    name: str
    type: str
    pattern: str
    source: str
    default: str | None
    description: str
    line: int


@dataclass(frozen=True, slots=True)
class Prose:
    """Markdown text between steps, shown as written (after sanitising)."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Step:
    """A runnable fenced block. `body` is the raw text; `spec` its parsed form per kind.

    `spec` is a `K8sBody` or `HttpBody` model, a tuple of argv strings for `exec`, or the
    query / item text (a str) for `promql`, `sql` and `check`.
    """

    id: str
    kind: str
    role: str
    title: str
    confirm: str
    danger: bool
    forbidden: str | None
    body: str
    attrs: Mapping[str, str]
    line: int
    params: tuple[str, ...] = ()
    spec: object = None
    timeout: str | None = None
    range: str | None = None
    deadline: str | None = None
    target: str | None = None
    approval: str | None = None
    """Two-person rule: who must approve a run first (another person; see actions.approvals)."""
    readonly: bool = False
    """Declared `readonly=true` (exec/http only): the author says it changes nothing."""

    @property
    def mitigating(self) -> bool:
        """True for steps that change the platform (role mitigate)."""
        return self.role == "mitigate"


Block = Prose | Step


@dataclass(frozen=True, slots=True)
class Runbook:
    """One runbook file: front matter, then prose and steps in document order."""

    id: str
    title: str
    severity: str
    alerts: tuple[str, ...]
    params: tuple[Param, ...]
    blocks: tuple[Block, ...]
    path: Path
    owner: str = ""

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Step))

    def step(self, step_id: str) -> Step | None:
        """The step with this id, or None."""
        return next((s for s in self.steps if s.id == step_id), None)

    def param(self, name: str) -> Param | None:
        """The declared parameter with this name, or None."""
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True, slots=True)
class RefusedFile:
    """A runbook file that could not be used, and why."""

    path: Path
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class RunbookSet:
    """Every valid runbook found, plus the files refused (never raised for one bad file)."""

    runbooks: tuple[Runbook, ...] = ()
    refused: tuple[RefusedFile, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def get(self, runbook_id: str) -> Runbook | None:
        """The runbook with this id (case-insensitive), or None."""
        wanted = runbook_id.strip().upper()
        return next((r for r in self.runbooks if r.id == wanted), None)

    def for_alert(self, alert_name: str) -> tuple[Runbook, ...]:
        """Runbooks whose front matter names this alert."""
        return tuple(r for r in self.runbooks if alert_name in r.alerts)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for f in self.refused for p in f.problems)
