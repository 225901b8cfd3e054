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

from cockpit.domain.when import Window
from cockpit.export.context import build_context, known_tenants, pick_incident, stamp
from cockpit.export.drill import drill_markdown, is_drill_log
from cockpit.export.impact_query import Impact, QueriedFigure
from cockpit.export.redact import Redactor
from cockpit.export.render import DEFAULT_TEMPLATE, TemplateProblem, render
from cockpit.export.source import LogUnreadable, read_log
from cockpit.export.window import WindowRequest, incident_window, windowed
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
    window: Window | None = None
    """The window that defined the incident (`--from/--to`), None for a declared one."""
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
    fast: bool = True,
    window: WindowRequest | None = None,
    impact: Impact | None = None,
) -> Exported:
    """Render `template` for one incident of the log at `log` (raises ExportError).

    `incident` names it by id; by default the last one declared is exported. With `window`,
    the window is the incident (any log, declared or not): figures come from it only.
    `impact` measures the configured impact figures over the incident's window.

    `progress` hears each stage as it starts (the app's dialog shows it; it may be called
    from a worker thread); `bar` draws the bytes read (the command's terminal bar).
    """
    say = progress or (lambda _stage: None)
    say(f"reading and verifying {Path(log).name}")
    if template == DEFAULT_TEMPLATE and window is None and not incident and is_drill_log(log):
        try:
            drilled = drill_markdown(log, key, Redactor(personal=redact))
        except (OSError, ReadError) as err:
            raise ExportError(f"{log}: cannot read the drill log: {err}") from None
        return Exported(drilled.markdown, drilled.warning, False, drill=True)
    try:
        folded = read_log(log, key, bar, fast=fast)
    except LogUnreadable as err:
        raise ExportError(str(err)) from None
    span: Window | None = None
    if window is not None:
        if incident:
            raise ExportError("give --incident or --from/--to, not both")
        try:
            record, span = windowed(folded, window)
        except ValueError as err:  # TimeError included
            raise ExportError(str(err)) from None
    else:
        try:
            record = pick_incident(folded.state, incident)
        except KeyError as err:
            raise ExportError(f"{log}: {err.args[0]}; pass one of them to --incident") from None
    say(f"rendering the {template} template")
    context = build_context(folded, record)
    if span is not None and context["incident"] is not None:
        context["incident"].update(count=1, others=[], number=1)
        context["window"] = {"start": stamp(span.start), "end": stamp(span.end)}
        sla = context["sla"]
        if sla is not None and not sla["acknowledged_at"]:
            # The window's end is not a resolution anyone recorded: met or missed is unknown.
            sla.update(status="unknown", breached=False)
            sla["detail"] = f"no acknowledgement recorded in the window; due by {sla['due']}"
    if impact is not None and context["incident"] is not None:
        measured = span or incident_window(folded, record)
        if measured is not None:
            say("measuring the impact figures in Prometheus")
            figures = impact(measured)
            context["impact"]["queried"].update({k: f.text for k, f in figures.items()})
    redactor = Redactor(personal=redact, tenants=known_tenants(folded))
    try:
        text = render(template, context, redactor, user_dirs)
    except TemplateProblem as err:
        raise ExportError(str(err)) from None
    return Exported(text, folded.warning, record.info is not None, record.incident_id, span)


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


def _impact(config: str | None, env: str | None) -> Impact:
    """The configured impact queries, the config read when a window is first measured: a
    log without an incident (a watch report) never needs it, and reading it costs a third
    of a second. An unreadable config is said then, and leaves the figures to the team."""
    loaded: list[Impact | None] = []

    def measure(window: Window) -> dict[str, QueriedFigure]:
        if not loaded:
            loaded.append(_load_impact(config, env))
        found = loaded[0]
        return {} if found is None else found(window)

    return measure


def _load_impact(config: str | None, env: str | None) -> Impact | None:
    from cockpit.config import ConfigError, load_settings
    from cockpit.export.impact_query import from_settings

    environ = dict(os.environ)
    try:
        return from_settings(load_settings(config, env_name=env, environ=environ), environ)
    except ConfigError as err:
        sys.stderr.write(f"cockpit export: config not read, no impact query run: {err}\n")
        return None


def default_output(log: str | Path, template: str) -> Path:
    """`<log stem>-<template>.md` in the current directory."""
    stem = Path(template).name.removesuffix(".md.j2") if "/" in template else template
    return Path(f"{Path(log).stem}-{stem}.md")


def main(
    log: str,
    *,
    template: str,
    output: str | None,
    redact: bool,
    incident: str | None = None,
    window: WindowRequest | None = None,
    config: str | None = None,
    env: str | None = None,
) -> int:
    """`cockpit export LOG [--incident ID | --from T --to T]`: write the Markdown (`-o -`
    prints it), say where."""
    raw_key = os.environ.get(KEY_ENV, "")
    impact = _impact(config, env)
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
                window=window,
                impact=impact,
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
    if document.window is not None:
        kind = f"post-mortem of the window {document.window.describe()}"
    elif document.incident:
        kind = f"export of {document.incident_id}"
    elif document.drill:
        kind = "drill debrief"
    else:
        kind = "watch report (no incident in the log)"
    sys.stderr.write(f"cockpit export: {kind} written to {where}\n")
    return EXIT_WARNED if document.warning else EXIT_OK
