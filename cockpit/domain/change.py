"""The human-readable form of a mitigation's change, as its confirmation showed it."""

from __future__ import annotations

from cockpit.sanitize import clean

_RAW_PATCH = "Patch: {"
"""A Kubernetes plan ends with the patch as a raw mapping after its readable diff lines."""
_LINE_MAX = 300
_LINES_MAX = 40


def change_lines(what: str) -> list[str]:
    """The lines of a recorded change (`MitigationRequested.what`), external text cleaned.

    The confirmation shows the plan's text: a head line (`scale deployment/x in namespace y`),
    the readable diff (`spec.replicas`, `- 2`, `+ 4`) and the dry-run verdict. The raw patch
    mapping that follows the diff says the same thing as program data, so it is left out.
    """
    lines: list[str] = []
    for raw in str(what or "").splitlines():
        line = clean(raw, single_line=True, max_len=_LINE_MAX).rstrip()
        if not line.strip() or line.lstrip().startswith(_RAW_PATCH):
            continue
        lines.append(line)
    if len(lines) > _LINES_MAX:
        lines = [*lines[:_LINES_MAX], f"... {len(lines) - _LINES_MAX} more lines"]
    return lines


def change_summary(what: str) -> str:
    """The head line of a change (what and where), for one-line surfaces like the timeline."""
    lines = change_lines(what)
    return lines[0].strip() if lines else ""
