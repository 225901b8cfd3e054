"""Load runbook directories: per-file parsing plus the rules that span files and the catalog."""

from __future__ import annotations

import importlib
from collections.abc import Collection, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from cockpit.runbook import markdown
from cockpit.runbook.model import Problem, RefusedFile, Runbook, RunbookError, RunbookSet
from cockpit.runbook.parse import parse_runbook

_NOT_RUNBOOKS = ("readme.md", "changelog.md")


def default_runbook_dirs() -> tuple[Path, ...]:
    """The runbooks shipped in the cockpit.runbooks package."""
    return (Path(str(resources.files("cockpit.runbooks"))),)


def runbook_files(directory: Path) -> list[Path]:
    """The runbook files of `directory`: every *.md except README and CHANGELOG, sorted."""
    return sorted(
        p for p in directory.glob("*.md") if p.is_file() and p.name.lower() not in _NOT_RUNBOOKS
    )


def catalog_alerts() -> tuple[frozenset[str] | None, str]:
    """Alert names of the packaged catalog, or None with a note why they are not checked."""
    try:
        catalog_mod: Any = importlib.import_module("cockpit.runbook.catalog")
    except ImportError:
        return None, "alert catalog module not installed: alert names not checked"
    try:
        catalog = catalog_mod.load_catalog()
        return frozenset(str(a.name) for a in catalog.alerts), ""
    except Exception as exc:  # a broken catalog must not stop runbooks from loading
        return None, f"alert catalog unreadable ({exc}): alert names not checked"


def load_runbooks(
    dirs: Sequence[Path], *, alert_names: Collection[str] | None = None
) -> RunbookSet:
    """Parse every runbook in `dirs` (in order); bad files are refused, never raised.

    A runbook id seen in an earlier file refuses the later file. Alert names are checked
    against `alert_names`, by default the packaged catalog when it can be loaded.
    """
    notes: list[str] = []
    if alert_names is None:
        alert_names, note = catalog_alerts()
        notes.extend([note] if note else [])
    good: list[Runbook] = []
    refused: list[RefusedFile] = []
    first_file: dict[str, Path] = {}
    for directory in dirs:
        for path in runbook_files(directory):
            try:
                runbook = parse_runbook(path)
            except RunbookError as exc:
                refused.append(RefusedFile(path, exc.problems))
                continue
            problems = _cross_problems(runbook, first_file, alert_names)
            if problems:
                refused.append(RefusedFile(path, tuple(problems)))
                continue
            first_file[runbook.id] = path
            good.append(runbook)
    return RunbookSet(tuple(good), tuple(refused), tuple(notes))


def _cross_problems(
    runbook: Runbook, first_file: dict[str, Path], alert_names: Collection[str] | None
) -> list[Problem]:
    file = str(runbook.path)
    unknown = [a for a in runbook.alerts if alert_names is not None and a not in alert_names]
    if runbook.id not in first_file and not unknown:
        return []
    lines = _front_lines(runbook.path)
    problems: list[Problem] = []
    if runbook.id in first_file:
        problems.append(
            Problem(
                file,
                lines.get(("id",), 1),
                "duplicate-runbook-id",
                f"{runbook.id} is already defined in {first_file[runbook.id]}; give it a new id",
            )
        )
    for index, alert in enumerate(runbook.alerts):
        if alert in unknown:
            problems.append(
                Problem(
                    file,
                    lines.get(("alerts", index), lines.get(("alerts",), 1)),
                    "unknown-alert",
                    f"alert '{alert}' is not in the alert catalog (runbooks/alerts.yaml)",
                )
            )
    return problems


def _front_lines(path: Path) -> dict[markdown.Path_, int]:
    doc = markdown.split(path.read_text(encoding="utf-8"))
    raw = markdown.yaml_lines(doc.front_matter or "")
    return {key: line + doc.front_line - 1 for key, line in raw.items()}
