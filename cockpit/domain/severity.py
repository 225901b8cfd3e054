"""Severity labels: SEV-1..n and P0..Pn read as one ordered scale (most severe first)."""

from __future__ import annotations

import re

_SEV = re.compile(r"^\s*sev[-_ ]?(\d)\s*$", re.IGNORECASE)
_PRIO = re.compile(r"^\s*p(\d)\s*$", re.IGNORECASE)

UNKNOWN_RANK = 99
"""Rank of a missing or unrecognised severity: sorts after every known one."""


def severity_rank(label: object) -> int:
    """0 for SEV-1 / P0, 1 for SEV-2 / P1, ...; UNKNOWN_RANK for anything else.

    The two schemes line up because both seed documents put the worst level first:
    SEV-1 and P0 both mean a platform-wide outage or a security breach.
    """
    if not isinstance(label, str):
        return UNKNOWN_RANK
    match = _SEV.match(label)
    if match is not None:
        level = int(match.group(1))
        return level - 1 if level >= 1 else UNKNOWN_RANK
    match = _PRIO.match(label)
    if match is not None:
        return int(match.group(1))
    return UNKNOWN_RANK


def is_severity(label: object) -> bool:
    """True if `label` reads as SEV-n or Pn."""
    return severity_rank(label) != UNKNOWN_RANK


def normalise_severity(label: object) -> str | None:
    """Canonical spelling (`SEV-2`, `P1`) of a recognised label, else None."""
    if not isinstance(label, str):
        return None
    match = _SEV.match(label)
    if match is not None and int(match.group(1)) >= 1:
        return f"SEV-{match.group(1)}"
    match = _PRIO.match(label)
    if match is not None:
        return f"P{match.group(1)}"
    return None


def most_severe(labels: list[str]) -> str | None:
    """The most severe recognised label (first one wins a tie), or None."""
    best: str | None = None
    best_rank = UNKNOWN_RANK
    for label in labels:
        rank = severity_rank(label)
        if rank < best_rank:
            best, best_rank = label, rank
    return best
