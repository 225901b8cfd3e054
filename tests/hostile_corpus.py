"""The hostile-strings corpus: the shared fixture (copied verbatim) plus our own additions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def load() -> dict[str, Any]:
    """Every category of `hostile-strings.json`, each extended by `hostile-strings-extra.json`."""
    corpus: dict[str, Any] = json.loads((DATA / "hostile-strings.json").read_text("utf-8"))
    extra = json.loads((DATA / "hostile-strings-extra.json").read_text("utf-8"))
    for key, values in extra.items():
        if isinstance(values, list):
            corpus[key] = [*corpus.get(key, []), *values]
    return corpus
