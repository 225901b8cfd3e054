"""Default locations on disk (light: no settings model needed to know them)."""

from __future__ import annotations

from pathlib import Path

import platformdirs


def default_log_dir() -> Path:
    """Where incident logs go when `[incident] log_dir` is not set."""
    return Path(platformdirs.user_data_dir("cockpit")) / "logs"
