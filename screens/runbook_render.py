"""Pure renderers for the runbook screen: step states, results and parameters as Text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.text import Text

from cockpit.clock import rfc3339
from cockpit.domain.records import MitigationRun, StepRun
from cockpit.domain.state import IncidentState
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import BoundParams, ParamError, bind_params, source_keys
from cockpit.sanitize import clean
from cockpit.screens.safe import md_code, md_text

STATE_STYLE = {
    "not run": ("○", "dim"),
    "running": ("◐", "yellow"),
    "ok": ("●", "green"),
    "failed": ("✗", "bold red"),
    "timeout": ("✗", "bold red"),
    "refused": ("⊘", "red"),
    "cancelled": ("⊘", "dim"),
}
CELL_MAX = 40
_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a step as the fold saw it (diagnostic or mitigation)."""

    run_id: str
    step: str
    state: str
    requested_at: datetime | None
    by: str
    summary: str
    result: Any
    what: str


def bound_params(
    runbook: Runbook, state: IncidentState, labels: Mapping[str, str], typed: Mapping[str, str]
) -> BoundParams | ParamError:
    """Parameters from the alert labels, the incident and typed values (or why not)."""
    incident = state.incident
    facts = {"incident_id": incident.incident_id} if incident else {}
    if incident is not None and incident.detected_at is not None:
        facts["detected_at"] = rfc3339(incident.detected_at)
    sources = source_keys(labels=labels, incident=facts, operator=typed)
    try:
        return bind_params(runbook, sources)
    except ParamError as err:
        return err


def runs_of(state: IncidentState, runbook_id: str) -> list[Run]:
    """Every run of this runbook's steps, oldest first."""
    found: list[Run] = []
    records: Iterable[StepRun | MitigationRun] = [
        *state.steps.values(),
        *state.mitigations.values(),
    ]
    for r in records:
        if r.runbook != runbook_id:
            continue
        status = r.outcome or "running"
        found.append(Run(r.run_id, r.step, status, r.requested_at, r.requested_by,
                         r.summary, r.result, r.what))  # fmt: skip
    return sorted(found, key=lambda r: (r.requested_at is None, r.requested_at or _EPOCH))


def latest(runs: list[Run]) -> dict[str, Run]:
    """The latest run per step id."""
    return {r.step: r for r in runs}


def step_line(step: Step, run: Run | None, note: str = "") -> Text:
    """`● who-holds  Sessions per application  ok 03:12:09 nadia` as one option."""
    status = run.state if run else "not run"
    mark, style = STATE_STYLE.get(status, ("?", ""))
    line = Text(f"{mark} ", style=style)
    kind = "⚠ " if step.mitigating else ""
    line.append(f"{kind}{clean(step.title, single_line=True, max_len=60)}")
    line.append(f"  [{step.kind}/{step.role}]", style="dim")
    if run is not None:
        when = f"{run.requested_at:%H:%M:%S}" if run.requested_at else ""
        who = clean(run.by.split(" ")[0], single_line=True, max_len=30)
        line.append(f"  {status} {when} {who}", style=style)
    if note:
        line.append(f"  {note}", style="dim italic")
    return line


def approval_note(step: Step) -> str:
    """What a step needs beyond a confirmation: outside approval, or a second person's."""
    if step.forbidden:
        return f"needs approval outside the cockpit: {clean(step.forbidden, single_line=True)}"
    if step.approval:
        return f"two-person rule: {clean(step.approval, single_line=True, max_len=60)} approves"
    return ""


def params_text(runbook: Runbook, bound: BoundParams | ParamError) -> Text:
    """Each parameter with its value and where the value came from."""
    out = Text("Parameters", style="bold")
    out.append("  (p: type a value)\n", style="dim")
    if isinstance(bound, ParamError):
        out.append(clean(str(bound), max_len=300) + "\n", style="bold red")
    known = bound if isinstance(bound, BoundParams) else None
    for param in runbook.params:
        out.append(f"{param.name} = ", style="bold")
        value = known.values.get(param.name) if known else None
        if value is None:
            out.append("missing", style="yellow")
            out.append(f"  ({param.source})\n", style="dim")
            continue
        out.append(clean(value, single_line=True, max_len=60))
        origin = known.origins.get(param.name, "") if known else ""
        out.append(f"  from {_origin(origin)}\n", style="cyan")
    return out


def _origin(origin: str) -> str:
    if origin.startswith("label:"):
        return f"alert label {origin[6:]}"
    if origin.startswith("incident:"):
        return f"incident {origin[9:]}"
    return {"operator": "typed", "default": "default"}.get(origin, origin or "?")


def run_text(run: Run) -> Text:
    """A run: header line, then its table or text, all external text sanitised."""
    mark, style = STATE_STYLE.get(run.state, ("?", ""))
    when = f"{run.requested_at:%Y-%m-%d %H:%M:%S}Z" if run.requested_at else "?"
    out = Text(f"{mark} {run.step} · {run.state} · {when} · {clean(run.by, single_line=True)}\n",
               style=style)  # fmt: skip
    if run.summary:
        out.append(clean(run.summary, max_len=300) + "\n")
    result = run.result if isinstance(run.result, Mapping) else {}
    columns = [str(c) for c in result.get("columns") or []]
    rows = [[str(c) for c in row] for row in result.get("rows") or [] if isinstance(row, list)]
    if columns:
        out.append_text(table_text(columns, rows))
    text = result.get("text")
    if isinstance(text, str) and text:
        out.append(clean(text) + "\n")
    if result.get("truncated"):
        out.append("(result trimmed)\n", style="dim")
    return out


def table_text(columns: list[str], rows: list[list[str]]) -> Text:
    """A plain aligned table; never markup, so `[/]` in a cell stays text."""
    cells = [[clean(c, single_line=True, max_len=CELL_MAX) for c in r] for r in [columns, *rows]]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in cells) for i in range(len(columns))]
    out = Text()
    for index, row in enumerate(cells):
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
        out.append(line + "\n", style="bold" if index == 0 else "")
    return out


def document(runbook: Runbook, labels: Mapping[str, str] | None) -> str:
    """The runbook's Markdown without its front matter, with a note on where it came from."""
    text = runbook.path.read_text(encoding="utf-8", errors="replace")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            text = text[end + 4 :]
    # The runbook's own prose is Markdown; values from outside (the alert's labels) are put in
    # code spans they cannot close, so a backtick in a label opens no bold text and no link.
    head = (
        f"*{md_text(runbook.id)} · severity {md_text(runbook.severity)} · "
        f"{md_code(runbook.path.name)}*\n\n"
    )
    if labels:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        head += f"> Opened from an alert with labels: {md_code(shown)}\n\n"
    return head + clean(text)
