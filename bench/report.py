"""Bench rows: value, budget, verdict and the pg_activity figure; printed and saved as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Row:
    """One measured figure. `budget` None: no budget, reported only."""

    name: str
    value: float
    budget: float | None
    peer: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        """PASS, MISS, or - when there is no budget."""
        if self.budget is None:
            return "-"
        return "PASS" if self.value <= self.budget else "MISS"

    @property
    def ratio(self) -> float | None:
        """cockpit / pg_activity, when both exist and the peer is not zero."""
        if self.peer is None or self.peer == 0:
            return None
        return self.value / self.peer


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def print_table(rows: list[Row]) -> None:
    """The table on stdout, misses included."""
    head = (
        f"{'figure':<52} {'cockpit':>10} {'budget':>9} {'verdict':>7} {'pg_act':>9} "
        f"{'ratio':>6}  note"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        print(
            f"{row.name:<52} {_num(row.value):>10} {_num(row.budget):>9} {row.verdict:>7} "
            f"{_num(row.peer):>9} {ratio:>6}  {row.note}"
        )
    misses = sum(row.verdict == "MISS" for row in rows)
    print(f"\n{len(rows)} figures, {misses} over budget")


def write_summary(path: Path, rows: list[Row], meta: dict[str, Any]) -> None:
    """bench/results/summary.json: every row with its verdict and ratio."""
    data = {
        "meta": meta,
        "rows": [{**asdict(r), "verdict": r.verdict, "ratio": r.ratio} for r in rows],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
