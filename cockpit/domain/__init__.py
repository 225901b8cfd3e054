"""Incident state and the pure fold that derives it from log events."""

from __future__ import annotations

from cockpit.domain.fold import Folder, fold
from cockpit.domain.state import IncidentState
from cockpit.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from cockpit.domain.views import AlertPolicy

__all__ = [
    "DEFAULT_THRESHOLDS",
    "AlertPolicy",
    "Folder",
    "IncidentState",
    "Thresholds",
    "fold",
]
