"""Export entry points shared by `cockpit export` and the app's export dialog.

Exit codes of `cockpit export`: 0 written from an intact log; 1 written, but the log failed
verification or could only be read in part (the document opens with a warning); 2 nothing
written (log unreadable, template missing or broken, output not writable).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cockpit.export.context import build_context, known_tenants, pick_incident
from cockpit.export.drill import drill_markdown, is_drill_log
from cockpit.export.redact import Redactor
from cockpit.export.render import DEFAULT_TEMPLATE, TemplateProblem, render
from cockpit.export.source import LogUnreadable, read_log
from cockpit.log.progress import ProgressBar, plain_size
from cockpit.log.reader import ReadError

EXIT_OK, EXIT_WARNED, EXIT_FAILED = 0, 1, 2
TEMPLATES_ENV = "COCKPIT_TEMPLATES"
"""Directories of user templates (`NAME.md.j2`), separated by the OS path separator."""
KEY_ENV = "COCKPIT_LOG_KEY"


class ExportError(Exception):
    """Nothing could be exported; the message says what is wrong and how to fix it."""


@dataclass(frozen=True, slots=True)
class Exported:
    """A rendered document and whether its log could be trusted."""

    markdown: str
    warning: str | None
    incident: bool
    """False when the log had no incident (a watch report was written)."""
    incident_id: str = ""
    """The incident exported (a log may hold several, one after another)."""
    drill: bool = False
    """True for a drill log: a debrief was written, not a post-mortem."""


def user_template_dirs(environ: dict[str, str] | None = None) -> list[Path]:
    """User template directories named by COCKPIT_TEMPLATES."""
    value = (environ if environ is not None else dict(os.environ)).get(TEMPLATES_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p]


def export_markdown(
    log: str | Path,
    *,
    template: str = DEFAULT_TEMPLATE,
    redact: bool = False,
    key: bytes | None = None,
    user_dirs: Sequence[Path] = (),
    progress: Callable[[str], None] | None = None,
    incident: str | None = None,
    bar: ProgressBar | None = None,
) -> Exported:
    """Render `template` for one incident of the log at `log` (raises ExportError).

    `incident` names it by id; by default the last one declared is exported.

    `progress` hears each stage as it starts (the app's dialog shows it; it may be called
    from a worker thread); `bar` draws the bytes read (the command's terminal bar).
    """
    say = progress or (lambda _stage: None)
    say(f"reading and verifying {Path(log).name}")
    if template == DEFAULT_TEMPLATE and is_drill_log(log):
        try:
            drilled = drill_markdown(log, key)
        except (OSError, ReadError) as err:
            raise ExportError(f"{log}: cannot read the drill log: {err}") from None
        return Exported(drilled.markdown, drilled.warning, False, drill=True)
    try:
        folded = read_log(log, key, bar)
    except LogUnreadable as err:
        raise ExportError(str(err)) from None
    try:
        record = pick_incident(folded.state, incident)
    except KeyError as err:
        raise ExportError(f"{log}: {err.args[0]}; pass one of them to --incident") from None
    say(f"rendering the {template} template")
    context = build_context(folded, record)
    redactor = Redactor(personal=redact, tenants=known_tenants(folded))
    try:
        text = render(template, context, redactor, user_dirs)
    except TemplateProblem as err:
        raise ExportError(str(err)) from None
    return Exported(text, folded.warning, record.info is not None, record.incident_id)


def write_export(document: Exported, output: str | Path) -> Path:
    """Write the document (0600: it may name customers) and return its path."""
    path = Path(output).expanduser()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(document.markdown)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def default_output(log: str | Path, template: str) -> Path:
    """`<log stem>-<template>.md` in the current directory."""
    stem = Path(template).name.removesuffix(".md.j2") if "/" in template else template
    return Path(f"{Path(log).stem}-{stem}.md")


def main(
    log: str, *, template: str, output: str | None, redact: bool, incident: str | None = None
) -> int:
    """`cockpit export LOG [--incident ID]`: write the Markdown (`-o -` prints it), say where."""
    raw_key = os.environ.get(KEY_ENV, "")
    try:
        with ProgressBar("reading", plain_size(log), sys.stderr) as bar:
            document = export_markdown(
                log,
                template=template,
                redact=redact,
                key=raw_key.encode("utf-8") if raw_key else None,
                user_dirs=user_template_dirs(),
                incident=incident,
                bar=bar,
            )
        if output == "-":
            sys.stdout.write(document.markdown)
            where = "standard output"
        else:
            name = "debrief" if document.drill else template
            where = str(write_export(document, output or default_output(log, name)))
    except ExportError as err:
        sys.stderr.write(f"cockpit export: {err}\n")
        return EXIT_FAILED
    if document.warning:
        sys.stderr.write(f"cockpit export: warning: {document.warning}\n")
    kind = (
        f"export of {document.incident_id}"
        if document.incident
        else "drill debrief"
        if document.drill
        else "watch report (no incident in the log)"
    )
    sys.stderr.write(f"cockpit export: {kind} written to {where}\n")
    return EXIT_WARNED if document.warning else EXIT_OK
