"""`cockpit runbooks list|show ID|validate [DIR]`: plain-text runbook tooling for the terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cockpit.runbook.argo import undo_warnings
from cockpit.runbook.model import Problem, Prose, Runbook, RunbookSet, Step
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks, runbook_files
from cockpit.sanitize import clean

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


def list_main(dirs: Sequence[Path] | None = None) -> int:
    """Print one line per runbook; refused files are reported on stderr (exit 1)."""
    found = load_runbooks(_dirs(dirs))
    rows = [
        (r.id, r.severity, str(len(r.steps)), r.title, ", ".join(r.alerts)) for r in found.runbooks
    ]
    header = ("ID", "SEV", "STEPS", "TITLE", "ALERTS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:4])]
        _out("  ".join([*cells, row[4]]).rstrip())
    return _report_refused(found)


def show_main(runbook_id: str, dirs: Sequence[Path] | None = None) -> int:
    """Print one runbook: parameters, prose and every step with its safety attributes."""
    found = load_runbooks(_dirs(dirs))
    runbook = found.get(runbook_id)
    if runbook is None:
        known = ", ".join(r.id for r in found.runbooks) or "none"
        _err(f"cockpit: no runbook {runbook_id!r}; known: {known}")
        return EXIT_PROBLEMS
    for line in render(runbook):
        _out(line)
    return EXIT_OK


def validate_main(directory: str | None = None, dirs: Sequence[Path] | None = None) -> int:
    """Check every runbook in `directory`, else in `dirs` (the shipped folder and the config's
    `[runbooks] paths`, as the cockpit reads them), else the shipped ones; exit 0, 1 or 2.

    Files are checked together, so an id defined twice across folders is reported too.
    """
    targets = [Path(directory)] if directory else list(dirs or default_runbook_dirs())
    empty: list[Path] = []
    for target in targets:
        try:
            if not target.is_dir():
                raise NotADirectoryError("not a directory")
            count = len(runbook_files(target))
        except OSError as exc:
            _err(f"cockpit: cannot read runbook directory {target}: {exc.strerror or exc}")
            return EXIT_UNREADABLE
        empty.extend([target] if count == 0 else [])
    for target in empty:
        _err(f"cockpit: no runbook (*.md) in {target}")
    found = load_runbooks(targets)
    problems = sorted(found.problems, key=lambda p: (p.file, p.line, p.rule))
    for problem in problems:
        _out(format_problem(problem))
    for note in found.notes:
        _err(f"note: {note}")
    for warning in undo_warnings(found.runbooks):
        _err(f"warning: {warning}")
    checked = ", ".join(_display(str(t)) for t in targets)
    valid, refused = len(found.runbooks), len(found.refused)
    _err(f"{valid} runbook(s) valid, {refused} file(s) refused ({checked})")
    return EXIT_PROBLEMS if problems or empty else EXIT_OK


def format_problem(problem: Problem) -> str:
    """`file:line: [rule] message`, with the file shown relative to the working directory."""
    return f"{_display(problem.file)}:{problem.line}: [{problem.rule}] {problem.message}"


def render(runbook: Runbook) -> list[str]:
    """The text of `show`: a header, parameters, then prose and steps in document order."""
    lines = [
        f"{runbook.id}  {runbook.title}  ({runbook.severity})",
        f"alerts: {', '.join(runbook.alerts) or '-'}",
        f"file:   {_display(str(runbook.path))}",
        "",
        "Parameters:",
    ]
    for p in runbook.params:
        default = f", default {p.default}" if p.default is not None else ""
        lines.append(f"  {p.name} ({p.type}) from {p.source}{default}; pattern {p.pattern}")
        lines.extend([f"      {p.description}"] if p.description else [])
    for block in runbook.blocks:
        lines.append("")
        if isinstance(block, Prose):
            lines.extend(block.text.splitlines())
        else:
            lines.extend(_render_step(block))
    return lines


def _render_step(step: Step) -> list[str]:
    flags = [step.kind, step.role, f"confirm {step.confirm}"]
    flags += ["DANGER"] if step.danger else []
    flags += [f"FORBIDDEN here: {step.forbidden}"] if step.forbidden else []
    flags += [f"two-person rule, approver: {step.approval}"] if step.approval else []
    head = f"[{step.id}] {step.title}  ({', '.join(flags)})"
    return [head, *(f"    {line}" for line in step.body.rstrip().splitlines())]


def _report_refused(found: RunbookSet) -> int:
    for refused in found.refused:
        for problem in refused.problems:
            _err(format_problem(problem))
    if found.refused:
        _err("run `cockpit runbooks validate DIR` for details; refused files are not shown")
        return EXIT_PROBLEMS
    return EXIT_OK


def _dirs(dirs: Sequence[Path] | None) -> Sequence[Path]:
    return default_runbook_dirs() if dirs is None else dirs


def _display(file: str) -> str:
    try:
        rel = os.path.relpath(file)
    except ValueError:
        return file
    return file if rel.startswith("..") else rel


def _out(text: str) -> None:
    # Runbook files may come from anywhere: strip escapes before they reach the terminal.
    sys.stdout.write(clean(text) + "\n")


def _err(text: str) -> None:
    sys.stderr.write(clean(text, single_line=True) + "\n")
